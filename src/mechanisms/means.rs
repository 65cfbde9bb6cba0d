//! D11: what the mission's means cost, and what its money buys.
//!
//! The mission's capacity is its personnel and its budget (`docs/COSTS.md`). Personnel are paid
//! first, at unit costs per person and day; what is left is the discretionary budget that the
//! policy splits over the pillars. Protection money buys operations (patrols, flights, fuel)
//! for the deployed troops and police, up to full operational tempo: money beyond what the
//! personnel can use buys nothing. Programme money buys coverage per person: a share
//! 1 - exp(-spend / (people x unit cost)), which is never more than spend / (people x unit
//! cost), so an effect is always bounded by the money spent, and the first dollars buy the
//! most. Transfers are accounted for in money: what reaches the poor is the transfer budget net
//! of overhead, in subsistence lines. Isolation beds cost a fixed amount per bed-day.

use crate::scenario::params::Costs;

/// Cost per day of deployed personnel, US$.
#[must_use]
pub fn personnel_cost(c: &Costs, troops: f64, police: f64, observers: f64, civilians: f64) -> f64 {
    troops * c.troop_usd_per_day + police * c.police_usd_per_day + observers * c.observer_usd_per_day + civilians * c.civilian_usd_per_day
}

/// Share of the personnel a budget can pay for (1 when it pays for all).
#[must_use]
pub fn affordable_share(budget: f64, personnel_cost: f64) -> f64 {
    if personnel_cost <= budget {
        1.0
    } else if personnel_cost > 0.0 {
        (budget / personnel_cost).max(0.0)
    } else {
        0.0
    }
}

/// Operations spending that keeps `uniformed` troops and police at full tempo, US$ per day.
#[must_use]
pub fn full_operations(c: &Costs, uniformed: f64) -> f64 {
    uniformed.max(0.0) * c.operations_usd_per_uniformed_day
}

/// Operational tempo, 0 to 1: the share of the deployed troops and police whose patrols,
/// flights and fuel are paid for.
#[must_use]
pub fn tempo(c: &Costs, operations_usd: f64, uniformed: f64) -> f64 {
    let full = full_operations(c, uniformed);
    if full <= 0.0 {
        0.0
    } else {
        (operations_usd / full).clamp(0.0, 1.0)
    }
}

/// Coverage a programme buys, 0 to 1: 1 - exp(-spend / (people x unit cost)). Never more than
/// spend / (people x unit cost): an effect is bounded by what is spent.
#[must_use]
pub fn coverage(spend_usd: f64, people: f64, unit_cost_usd_per_person: f64) -> f64 {
    if people <= 0.0 || spend_usd <= 0.0 {
        return 0.0;
    }
    1.0 - (-spend_usd / (people * unit_cost_usd_per_person)).exp()
}

/// Transfer each person below the subsistence line receives per day, in subsistence lines, when
/// `spend_usd` per day is shared among `poor` people (net of delivery overhead).
#[must_use]
pub fn transfer_per_poor_person(c: &Costs, spend_usd: f64, poor: f64) -> f64 {
    if poor <= 0.0 || spend_usd <= 0.0 {
        return 0.0;
    }
    spend_usd * (1.0 - c.transfer_overhead_share) / (poor * c.subsistence_line_usd_per_day)
}

/// Isolation beds a day's health spending can run, given the cases that need one; the rest
/// of the money is left for health services. Returns (beds, money left).
#[must_use]
pub fn isolation_beds(c: &Costs, spend_usd: f64, cases: f64) -> (f64, f64) {
    let spend = spend_usd.max(0.0);
    let beds = (spend / c.isolation_usd_per_bed_day).min(cases.max(0.0));
    (beds, spend - beds * c.isolation_usd_per_bed_day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personnel_are_paid_first_and_budgets_below_their_cost_pay_for_fewer() {
        let c = Costs::default();
        let cost = personnel_cost(&c, 1000.0, 100.0, 10.0, 100.0);
        assert!((cost - (85_000.0 + 8_500.0 + 1_600.0 + 25_000.0)).abs() < 1e-9);
        assert_eq!(affordable_share(2.0 * cost, cost), 1.0);
        assert!((affordable_share(0.5 * cost, cost) - 0.5).abs() < 1e-12);
        assert_eq!(affordable_share(0.0, 0.0), 1.0);
    }

    #[test]
    fn tempo_grows_with_operations_money_up_to_what_the_personnel_can_use() {
        let c = Costs::default();
        assert_eq!(tempo(&c, 0.0, 1000.0), 0.0);
        assert!((tempo(&c, 0.5 * full_operations(&c, 1000.0), 1000.0) - 0.5).abs() < 1e-12);
        assert_eq!(tempo(&c, 10.0 * full_operations(&c, 1000.0), 1000.0), 1.0);
        assert_eq!(tempo(&c, 1e6, 0.0), 0.0);
    }

    #[test]
    fn coverage_is_bounded_by_the_money_spent_and_concave() {
        for (spend, people, cost) in [(10.0, 1000.0, 0.15), (150.0, 1000.0, 0.15), (1e6, 10.0, 0.1)] {
            let x = coverage(spend, people, cost);
            assert!(x <= spend / (people * cost) + 1e-15 && x < 1.0 + 1e-15);
        }
        let first = coverage(50.0, 1000.0, 0.1);
        let second = coverage(100.0, 1000.0, 0.1) - first;
        assert!(second < first, "the first dollars buy the most");
        assert_eq!(coverage(0.0, 1000.0, 0.1), 0.0);
    }

    #[test]
    fn transfers_and_beds_cost_what_they_cost() {
        let c = Costs::default();
        // 100 US$ among 1,000 poor people: 0.085 US$ each after overhead.
        let t = transfer_per_poor_person(&c, 100.0, 1000.0);
        assert!((t * 1000.0 * c.subsistence_line_usd_per_day - 85.0).abs() < 1e-9);
        let (beds, left) = isolation_beds(&c, 6500.0, 4.0);
        assert_eq!(beds, 4.0);
        assert!((left - (6500.0 - 4.0 * 650.0)).abs() < 1e-9);
        let (beds, left) = isolation_beds(&c, 1300.0, 100.0);
        assert!((beds - 2.0).abs() < 1e-12 && left.abs() < 1e-9);
    }
}
