//! Localities (settlements or districts) and the graph that links them.
//!
//! One row per locality in every column; ids are the scenario's locality indices. Static
//! attributes come from the scenario; dynamic ones (markets, services, trust, tension...) change
//! each tick in the locality phases. A short ring buffer per locality keeps the recent history of
//! violence that lagged mechanisms need (epidemic amplification 1-10 weeks after violence,
//! perceived insecurity over 30 days). Data only: behaviour lives in `mechanisms` and `phases`.

use crate::scenario::{LocalityKind, Scenario};

/// Largest number of nearby localities kept per locality (targets within reach, flight destinations).
pub const MAX_NEARBY: usize = 64;

/// Locality graph: links (CSR) and, per locality, the nearby localities within the largest reach.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    /// CSR offsets into `neighbours` (len = localities + 1).
    pub link_offsets: Vec<u32>,
    /// Linked locality indices.
    pub neighbours: Vec<u32>,
    /// Distance of each link, km.
    pub link_km: Vec<f64>,
    /// CSR offsets into `nearby` (len = localities + 1).
    pub nearby_offsets: Vec<u32>,
    /// Other localities within `nearby_radius_km`, nearest first (ties by index), at most [`MAX_NEARBY`].
    pub nearby: Vec<u32>,
    /// Distance to each entry of `nearby`, km.
    pub nearby_km: Vec<f64>,
    /// Radius used for `nearby`, km.
    pub nearby_radius_km: f64,
}

impl Graph {
    /// Builds the graph from a scenario.
    #[must_use]
    pub fn build(scenario: &Scenario) -> Self {
        let n = scenario.localities.len();
        let mut adjacency: Vec<Vec<(u32, f64)>> = vec![Vec::new(); n];
        for l in &scenario.links {
            adjacency[l.a as usize].push((l.b, l.distance_km));
            adjacency[l.b as usize].push((l.a, l.distance_km));
        }
        let mut g = Self::default();
        g.link_offsets.push(0);
        for list in &mut adjacency {
            list.sort_by_key(|&(j, _)| j);
            for &(j, d) in list.iter() {
                g.neighbours.push(j);
                g.link_km.push(d);
            }
            #[expect(
                clippy::cast_possible_truncation,
                reason = "links are bounded by localities squared, far below u32::MAX"
            )]
            g.link_offsets.push(g.neighbours.len() as u32);
        }
        let max_reach = scenario.armed_groups.iter().map(|a| a.reach_km).fold(0.0, f64::max);
        let radius = max_reach
            .max(scenario.rules.displacement.max_flee_km)
            .max(scenario.rules.mission.coverage_radius_km);
        g.nearby_radius_km = radius;
        g.nearby_offsets.push(0);
        for i in 0..n {
            let li = &scenario.localities[i];
            let mut list: Vec<(f64, u32)> = (0..n)
                .filter(|&j| j != i)
                .map(|j| {
                    let lj = &scenario.localities[j];
                    #[expect(clippy::cast_possible_truncation, reason = "locality counts are capped")]
                    ((li.x_km - lj.x_km).hypot(li.y_km - lj.y_km), j as u32)
                })
                .filter(|&(d, _)| d <= radius)
                .collect();
            // DETERMINISM: nearest first, ties by index.
            list.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            list.truncate(MAX_NEARBY);
            for (d, j) in list {
                g.nearby.push(j);
                g.nearby_km.push(d);
            }
            #[expect(clippy::cast_possible_truncation, reason = "bounded by localities x MAX_NEARBY")]
            g.nearby_offsets.push(g.nearby.len() as u32);
        }
        g
    }

    /// Linked localities of `l` with their distances.
    pub fn links_of(&self, l: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        let (a, b) = (self.link_offsets[l] as usize, self.link_offsets[l + 1] as usize);
        self.neighbours[a..b]
            .iter()
            .zip(&self.link_km[a..b])
            .map(|(&j, &d)| (j as usize, d))
    }

    /// Nearby localities of `l` (excluding `l`), nearest first, with their distances.
    pub fn nearby_of(&self, l: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        let (a, b) = (self.nearby_offsets[l] as usize, self.nearby_offsets[l + 1] as usize);
        self.nearby[a..b].iter().zip(&self.nearby_km[a..b]).map(|(&j, &d)| (j as usize, d))
    }
}

/// The localities table (structure of arrays).
#[derive(Debug, Clone, Default)]
pub struct Localities {
    /// Number of localities.
    pub len: usize,
    /// Whether people here farm (rural) and so lose food to drought.
    pub rural: Vec<bool>,
    /// Lootable resources, 0 to 1.
    pub lootable: Vec<f64>,
    /// Baseline health access from the scenario, 0 to 1.
    pub health_access_baseline: Vec<f64>,
    /// Current health access from the state and others (damaged by violence, recovering), 0 to 1.
    pub health_access: Vec<f64>,
    /// Baseline market functioning, 0 to 1.
    pub market_baseline: Vec<f64>,
    /// Current market functioning, 0 to 1 (can exceed the baseline with programmes).
    pub market: Vec<f64>,
    /// Environmental stress (drought, flood), 0 to 1.
    pub env_stress: Vec<f64>,
    /// Share of the residents without safe drinking water (structural; no mechanism changes it).
    pub unsafe_water: Vec<f64>,
    /// Food price index (1 = normal).
    pub price: Vec<f64>,
    /// Baseline cohesion.
    pub cohesion_baseline: Vec<f64>,
    /// Social cohesion, 0 to 1.
    pub cohesion: Vec<f64>,
    /// Baseline tension.
    pub tension_baseline: Vec<f64>,
    /// Inter-group tension, 0 to 1.
    pub tension: Vec<f64>,
    /// Early-warning coverage, 0 to 1.
    pub early_warning: Vec<f64>,
    /// Baseline trust in the mission.
    pub trust_in_mission_baseline: Vec<f64>,
    /// Trust in the mission, 0 to 1.
    pub trust_in_mission: Vec<f64>,
    /// Baseline trust in the state.
    pub trust_in_state_baseline: Vec<f64>,
    /// Trust in the state, 0 to 1.
    pub trust_in_state: Vec<f64>,
    /// Local support for non-state armed groups, 0 to 1 (raised by mission-caused harm).
    pub armed_group_support: Vec<f64>,
    /// Baseline political voice of residents.
    pub voice_baseline: Vec<f64>,
    /// Whether the locality declares a protection site (a base that shields its residents),
    /// whatever its capacity: a `site_capacity` event may open it later or close it to newcomers.
    pub site_declared: Vec<bool>,
    /// Protection-site capacity, in people (0 = no site, or none open to newcomers).
    pub site_capacity: Vec<f64>,
    /// Protection-site guard posture, 0 to 1.
    pub site_guard_posture: Vec<f64>,
    /// Protection-site services, 0 to 1.
    pub site_services: Vec<f64>,
    /// Long-run civilian victims per 10,000 people per 30 days (exponential average over the return-safety time constant).
    pub victims_long_run: Vec<f64>,
    /// Recent epidemic deaths per 10,000 people per 30 days (exponential average over the fear time constant).
    pub epidemic_deaths_recent: Vec<f64>,
    /// Identity-based attacks on identity `i` here over about the community window (an
    /// exponentially decaying count with that time constant), at `[l * identities + i]`.
    pub identity_attacks_recent: Vec<f64>,
    /// Ring buffer of violent events per tick, at `[l * ring_len + tick % ring_len]`.
    pub events_ring: Vec<f32>,
    /// Ring buffer of civilian victims (killed or injured, people) per tick, same layout.
    pub victims_ring: Vec<f32>,
    /// Length of each ring, in ticks.
    pub ring_len: usize,
}

impl Localities {
    /// Builds the table from a scenario, with history long enough for the lags it uses.
    #[must_use]
    pub fn build(scenario: &Scenario) -> Self {
        let n = scenario.localities.len();
        let dt = scenario.run.tick_length_days;
        let lag_days = f64::from(scenario.rules.health.conflict_lag_max_days).max(30.0);
        #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "lags are at most 365 days")]
        let ring_len = (lag_days / dt).ceil() as usize + 2;
        let col = |f: &dyn Fn(&crate::scenario::LocalitySpec) -> f64| scenario.localities.iter().map(f).collect::<Vec<f64>>();
        Self {
            len: n,
            rural: scenario.localities.iter().map(|l| l.kind == LocalityKind::Rural).collect(),
            lootable: col(&|l| l.lootable),
            health_access_baseline: col(&|l| l.health_access),
            health_access: col(&|l| l.health_access),
            market_baseline: col(&|l| l.market),
            market: col(&|l| l.market),
            env_stress: vec![0.0; n],
            unsafe_water: col(&|l| l.unsafe_water),
            price: vec![1.0; n],
            cohesion_baseline: col(&|l| l.cohesion),
            cohesion: col(&|l| l.cohesion),
            tension_baseline: col(&|l| l.tension),
            tension: col(&|l| l.tension),
            early_warning: col(&|l| l.early_warning),
            trust_in_mission_baseline: col(&|l| l.trust_in_mission),
            trust_in_mission: col(&|l| l.trust_in_mission),
            trust_in_state_baseline: col(&|l| l.trust_in_state),
            trust_in_state: col(&|l| l.trust_in_state),
            armed_group_support: vec![0.0; n],
            voice_baseline: col(&|l| l.political_voice),
            site_declared: scenario.localities.iter().map(|l| l.site.is_some()).collect(),
            site_capacity: col(&|l| l.site.map_or(0.0, |s| s.capacity)),
            site_guard_posture: col(&|l| l.site.map_or(0.0, |s| s.guard_posture)),
            site_services: col(&|l| l.site.map_or(0.0, |s| s.services)),
            victims_long_run: vec![0.0; n],
            epidemic_deaths_recent: vec![0.0; n],
            identity_attacks_recent: vec![0.0; n * scenario.identity_groups.len()],
            events_ring: vec![0.0; n * ring_len],
            victims_ring: vec![0.0; n * ring_len],
            ring_len,
        }
    }

    /// Whether locality `l` has a protection site: declared, even while its capacity is 0 (not
    /// yet open, or closed to newcomers), so that its residents stay shielded and it admits
    /// nobody without room.
    #[must_use]
    pub fn has_site(&self, l: usize) -> bool {
        self.site_declared[l]
    }

    /// Sum of a ring over the ticks `tick - to ..= tick - from` (ticks before the start count as 0).
    #[must_use]
    pub fn ring_sum(&self, ring: &[f32], l: usize, tick: u32, from: usize, to: usize) -> f64 {
        let base = l * self.ring_len;
        let mut s = 0.0;
        for back in from..=to.min(self.ring_len - 1) {
            let Some(t) = (tick as usize).checked_sub(back) else { break };
            s += f64::from(ring[base + t % self.ring_len]);
        }
        s
    }

    /// Clears the ring slot of `tick` for every locality (called before the tick's events are recorded).
    pub fn clear_ring_slot(&mut self, tick: u32) {
        let slot = tick as usize % self.ring_len;
        for l in 0..self.len {
            self.events_ring[l * self.ring_len + slot] = 0.0;
            self.victims_ring[l * self.ring_len + slot] = 0.0;
        }
    }
}
