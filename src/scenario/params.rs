//! Mechanism parameters: the `[rules.*]` tables of a scenario file.
//!
//! Every parameter is declared once, in the `param_section!` blocks below, with its type, default,
//! valid range, unit and source. The macro generates the serde struct (unknown keys rejected,
//! missing keys defaulted), the range checks run by validation, and the catalogue that
//! `peacesim params` prints and `docs/ODD.md` is checked against. This module must not contain
//! behaviour: the rules read these values, they do not live here.

use serde::{Deserialize, Serialize};

use super::FieldErrors;

/// One documented parameter, as listed by `peacesim params` and in `docs/ODD.md`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParamInfo {
    /// Full TOML path, e.g. `rules.health.r0`.
    pub path: String,
    /// Default value as written in a scenario file.
    pub default: String,
    /// Lowest valid value (inclusive).
    pub min: f64,
    /// Highest valid value (inclusive; `inf` when unbounded).
    pub max: f64,
    /// Unit of the value.
    pub unit: &'static str,
    /// Source, or "assumption".
    pub source: &'static str,
    /// One-line meaning.
    pub meaning: String,
}

/// Checks that `value` lies in `[min, max]` and is finite, recording a field error otherwise.
pub(crate) fn check_range(errors: &mut FieldErrors, path: String, value: f64, min: f64, max: f64) {
    if !value.is_finite() {
        errors.push(path, format!("must be a finite number, got {value}"));
    } else if value < min || value > max {
        errors.push(path, format!("must be in [{}, {}], got {value}", fmt_bound(min), fmt_bound(max)));
    }
}

fn fmt_bound(v: f64) -> String {
    if v.is_infinite() { "inf".to_string() } else { format!("{v}") }
}

macro_rules! param_section {
    (
        $(#[doc = $sdoc:literal])*
        pub struct $name:ident ($section:literal) {
            $(
                $(#[doc = $doc:literal])*
                $field:ident : $ty:ty = $default:expr ; [$lo:expr, $hi:expr] ; $unit:literal ; $source:literal ;
            )*
        }
    ) => {
        $(#[doc = $sdoc])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
        #[serde(default, deny_unknown_fields)]
        pub struct $name {
            $(
                $(#[doc = $doc])*
                pub $field: $ty,
            )*
        }

        impl Default for $name {
            fn default() -> Self {
                Self { $($field: $default,)* }
            }
        }

        impl $name {
            /// The TOML table this section lives in.
            pub const SECTION: &'static str = $section;

            /// Lists every parameter of this section with its default, range, unit and source.
            pub fn catalogue() -> Vec<ParamInfo> {
                let defaults = Self::default();
                vec![$(
                    ParamInfo {
                        path: format!("{}.{}", $section, stringify!($field)),
                        default: format!("{}", defaults.$field),
                        min: $lo as f64,
                        max: $hi as f64,
                        unit: $unit,
                        source: $source,
                        meaning: [$($doc),*].join(" ").trim().to_string(),
                    },
                )*]
            }

            /// Records a field error for every value outside its documented range.
            pub(crate) fn check_ranges(&self, errors: &mut FieldErrors) {
                $(
                    #[allow(clippy::cast_precision_loss, clippy::unnecessary_cast, reason = "ranges are checked in f64 whatever the field type")]
                    check_range(
                        errors,
                        format!("{}.{}", $section, stringify!($field)),
                        self.$field as f64,
                        $lo as f64,
                        $hi as f64,
                    );
                )*
            }
        }
    };
}

const INF: f64 = f64::INFINITY;

param_section! {
    /// D1: deprivation → grievance → mobilisation, deterred by local risk (Epstein 2002).
    pub struct Mobilisation ("rules.mobilisation") {
        /// Activation threshold T: a person mobilises when grievance minus net risk exceeds it.
        threshold: f64 = 0.1; [0.0, 1.0]; "1"; "Epstein 2002 (T = 0.1)";
        /// Arrest-probability constant k in P = 1 - exp(-k f(C/A)).
        arrest_constant: f64 = 2.3; [0.0, 50.0]; "1"; "Epstein 2002 (k = 2.3)";
        /// Days over which hardship is remembered when forming grievance (exponential smoothing).
        grievance_memory_days: f64 = 30.0; [1.0, 3650.0]; "days"; "assumption";
        /// Arrests one host-state security member makes per day when mobilised people are present.
        arrests_per_security_per_day: f64 = 0.002; [0.0, 1.0]; "1/day"; "assumption";
        /// Longest detention after an arrest; terms are drawn uniformly from 1 to this value.
        detention_max_days: u32 = 30; [1, 3650]; "days"; "NetLogo Rebellion default max-jail-term 30";
        /// Security personnel per mobilised person that counts as one 'cop' in C/A (scales the locality-level ratio).
        security_weight: f64 = 1.0; [0.0, 1000.0]; "1"; "assumption";
    }
}

param_section! {
    /// D2: opportunity cost and rapacity in recruitment, and desertion.
    pub struct Recruitment ("rules.recruitment") {
        /// Daily probability that a mobilised, eligible person joins a recruiting group present, before modifiers.
        join_rate_per_day: f64 = 0.0002; [0.0, 1.0]; "1/day"; "assumption";
        /// Elasticity of joining to income below the subsistence line: multiplier exp(-e (income - 1)).
        opportunity_cost_elasticity: f64 = 1.5; [0.0, 10.0]; "1"; "Miguel et al. 2004; Dube & Vargas 2013; Blattman & Annan 2016 (direction)";
        /// Elasticity of joining to lootable rents and group pay: multiplier 1 + e x pay.
        rapacity_elasticity: f64 = 1.0; [0.0, 10.0]; "1"; "Dube & Vargas 2013 (direction); magnitude assumption";
        /// Relative propensity of women and girls to join, compared with men.
        female_join_multiplier: f64 = 0.2; [0.0, 1.0]; "1"; "assumption";
        /// Highest daily join probability after all modifiers.
        max_join_probability_per_day: f64 = 0.05; [0.0, 1.0]; "1/day"; "assumption";
        /// Daily probability that a fighter leaves the group, before modifiers.
        desertion_rate_per_day: f64 = 0.0005; [0.0, 1.0]; "1/day"; "assumption";
        /// Elasticity of desertion to the legal income a fighter could earn: multiplier exp(e (income - 1)).
        desertion_income_elasticity: f64 = 1.0; [0.0, 10.0]; "1"; "Blattman & Annan 2016 (direction)";
        /// Multiplier on joining per unit of local support for armed groups (raised by mission-caused harm).
        support_join_multiplier: f64 = 2.0; [0.0, 20.0]; "1"; "Lyall et al. 2013; Condra & Shapiro 2012 (direction)";
        /// Group resources, in US$ per fighter, at which pay doubles the rapacity term.
        pay_reference_usd_per_fighter: f64 = 100.0; [0.001, INF]; "US$/fighter"; "assumption";
        /// Upkeep each fighter costs the group per day.
        upkeep_usd_per_fighter_day: f64 = 0.5; [0.0, INF]; "US$/day"; "assumption";
        /// Days of upkeep a group must be able to pay for each fighter it takes on: its capacity is its starting strength (plus reinforcements), or its resources over upkeep for this long if that is more.
        capacity_reserve_days: f64 = 365.0; [1.0, INF]; "days"; "assumption (groups grow with what they can pay, arm and organise; docs/TARGETS.md: sizes within 0.5-2x of the start)";
        /// Days over which host-state forces enlist eligible adults to replace their losses up to their strength (their own rule: enlistment, not the grievance of the mobilised).
        state_enlistment_days: f64 = 365.0; [1.0, INF]; "days"; "assumption";
        /// Loot a group takes per attack (one raid on one village of about 1,000 people), scaled by the locality's lootable resources and markets.
        loot_usd_per_attack: f64 = 200.0; [0.0, INF]; "US$"; "assumption (a raid loots one village, not the whole locality; US$0.20 a person at full lootable resources and markets)";
    }
}

param_section! {
    /// D3, D4, D6, D9: targeting of civilians as a cost-benefit choice deterred by presence.
    pub struct Targeting ("rules.targeting") {
        /// Effective troops per 1,000 residents in and around a locality that deter 63 % of the maximum (1 - 1/e).
        troops_deterrence_per_1000: f64 = 1.5; [0.001, INF]; "troops/1,000 residents"; "assumption in the 1-5 per 1,000 range where UN missions operate (docs/COSTS.md §6; Quinlivan1995), shaped to Hultman2013 (steep, concave)";
        /// Deterrence of one police officer, counted in troops.
        police_deterrence_weight: f64 = 8.0; [0.0, 1000.0]; "troops/officer"; "assumption; Hultman et al. 2013 find police deter strongly per head";
        /// Weight of a linked locality within the coverage radius in the troops and people a locality's deterrence counts, at full operational tempo (patrol reach; none without tempo).
        neighbour_presence_share: f64 = 0.2; [0.0, 1.0]; "1"; "assumption";
        /// Share of full deterrence that troops give when the mission funds no operations (confined to their bases: static presence).
        static_presence_share: f64 = 0.3; [0.0, 1.0]; "1"; "assumption";
        /// Exponent on net attractiveness when a group spreads its effort over targets (higher = more concentrated).
        concentration: f64 = 2.0; [0.0, 10.0]; "1"; "assumption";
        /// Largest reduction of fatalities per attack where mission presence is full (response), scaled by the attacker's deterrence sensitivity.
        response_lethality_reduction_share: f64 = 0.5; [0.0, 1.0]; "1"; "assumption";
        /// Deterrence factor of an observer mandate (unarmed: none).
        mandate_factor_observer: f64 = 0.0; [0.0, 1.0]; "1"; "Hultman et al. 2013 (observers do not deter)";
        /// Deterrence factor of a traditional mandate relative to a robust one.
        mandate_factor_traditional: f64 = 0.7; [0.0, 1.0]; "1"; "Hegre et al. 2019 (robust mandates matter); magnitude assumption";
        /// Deterrence factor of a robust mandate.
        mandate_factor_robust: f64 = 1.0; [0.0, 1.0]; "1"; "Hegre et al. 2019";
        /// Largest extra deterrence sensitivity of host-state forces from mission engagement and leverage (Tier I).
        state_leverage_share: f64 = 0.5; [0.0, 1.0]; "1"; "assumption (D4 leverage term, grade C)";
        /// Weight of lootable resources in a target's value.
        loot_weight: f64 = 1.0; [0.0, INF]; "1"; "Dube & Vargas 2013 (direction)";
        /// Weight of a hostile identity group's presence in a target's value.
        identity_weight: f64 = 1.5; [0.0, INF]; "1"; "assumption";
        /// Multiplier on the value of civilians concentrated in a protection site, for groups hostile to them.
        site_weight: f64 = 2.0; [0.0, INF]; "1"; "Malakal Board of Inquiry 2016 (sites are targets)";
        /// Weight of visible project spend (US$ per person per day above the QIP threshold) for spoiler groups (D9).
        spoiler_weight: f64 = 20.0; [0.0, INF]; "1/(US$/person/day)"; "Crost et al. 2014 (direction); magnitude assumption";
        /// Fighters a group needs in a locality to launch attacks from it.
        min_presence_fighters: f64 = 5.0; [0.0, INF]; "fighters"; "assumption";
        /// Non-fatal injuries per fatality in attacks on civilians.
        injuries_per_fatality: f64 = 1.5; [0.0, 100.0]; "1"; "assumption";
        /// Share of injuries of women and girls in attacks on civilians recorded as sexual violence (sub-event).
        sexual_violence_share: f64 = 0.15; [0.0, 1.0]; "1"; "assumption (ACLED sexual-violence sub-event)";
    }
}

param_section! {
    /// D5 and mission operations: battles, interposition, offensives and attacks on the mission.
    pub struct Battles ("rules.battles") {
        /// Daily rate of battles between two hostile groups in the same locality, per 100 fighters of the smaller side.
        battle_rate_per_100_fighters_day: f64 = 0.02; [0.0, INF]; "1/day"; "assumption";
        /// Fighters killed per battle, shared between the sides.
        fighter_deaths_per_battle: f64 = 4.0; [0.0, 1000.0]; "deaths"; "assumption (UCDP battle-related deaths scale)";
        /// Civilians killed in crossfire per battle.
        crossfire_deaths_per_battle: f64 = 0.8; [0.0, 1000.0]; "deaths"; "assumption";
        /// Effective troops per 1,000 residents in and around a locality that achieve 63 % of the largest interposition effect.
        interposition_troops_per_1000: f64 = 2.0; [0.001, INF]; "troops/1,000 residents"; "assumption shaped to Hultman2014 (most of the -70 % reached at 10,000 troops, about 5 per 1,000 where they deploy)";
        /// Largest reduction of battles by interposed armed troops.
        interposition_max_share: f64 = 0.7; [0.0, 1.0]; "1"; "Hultman et al. 2014 (about -70 % at 10,000 troops)";
        /// Daily offensive operations of a robust mission per 1,000 effective troops in a locality with hostile fighters.
        offensive_rate_per_1000_troops_day: f64 = 0.05; [0.0, INF]; "1/day"; "assumption";
        /// Fighters killed per offensive operation.
        offensive_fighter_deaths: f64 = 3.0; [0.0, 1000.0]; "deaths"; "assumption";
        /// Civilians killed by the mission per offensive operation (collateral harm).
        offensive_collateral_deaths: f64 = 0.4; [0.0, 1000.0]; "deaths"; "assumption";
        /// Daily attacks on mission units per 100 fighters of a group that attacks the mission, where units are present.
        attack_on_mission_rate_per_100_fighters_day: f64 = 0.01; [0.0, INF]; "1/day"; "assumption";
        /// Peacekeepers killed per attack on the mission or per offensive operation.
        peacekeeper_deaths_per_attack: f64 = 0.5; [0.0, 100.0]; "deaths"; "assumption";
        /// Yearly hazard that a group under a ceasefire resumes fighting, at the start of the ceasefire and with no mission deterrence where its fighters are (0 keeps every ceasefire).
        ceasefire_breakdown_per_year: f64 = 0.25; [0.0, 365.0]; "1/year"; "assumption: with the decay below about half of ceasefires without peacekeepers fail within five years, most in the first years (the recurrence risk that Fortna2004 and Walter2021 find peacekeeping cuts)";
        /// Time over which the breakdown hazard falls by 63 % (1 - 1/e) as peace lasts.
        ceasefire_hazard_decay_days: f64 = 1095.0; [1.0, 36500.0]; "days"; "assumption: the risk of renewed war is highest in the first years of peace (Fortna2004)";
    }
}

param_section! {
    /// D7: flight, protection sites and return with hysteresis (Flee-like rules).
    pub struct Displacement ("rules.displacement") {
        /// Daily flight rate per unit of personal danger above the flight threshold.
        flee_rate_per_day: f64 = 0.3; [0.0, INF]; "1/day"; "assumption";
        /// Personal danger (perceived insecurity without the locality's violence per head: the baseline, raised by having been harmed lately) above which a person at home flees.
        flee_threshold: f64 = 0.4; [0.0, 1.0]; "1"; "assumption: with the default victimisation weight (0.6) people harmed lately flee, others do not (flight from the killings around them is the per-killing count); the threshold applied never falls below the everyday danger (insecurity_baseline), which is no reason to leave (assumption, docs/ODD.md §7.6)";
        /// People at home who flee per civilian killed where they live (attacks on civilians and battles' crossfire), besides flight from perceived insecurity: the attacked village runs, however large the district around it.
        flight_per_civilian_killed: f64 = 250.0; [0.0, 100000.0]; "people/death"; "ACAPS 2018, 2019 (Ituri: about 1,000 and 1,900 displaced per reported death); Alindao 2018 (300); per death as the model counts them (reported x 1-10), lower; 250 is an assumption within that range (docs/ODD.md §7.6)";
        /// Attraction of a protection site as a destination, relative to an ordinary locality.
        site_attraction: f64 = 4.0; [0.0, INF]; "1"; "Flee camp attraction (Suleimenova et al. 2017); magnitude assumption";
        /// Distance over which destination attraction falls by 1/e.
        distance_scale_km: f64 = 60.0; [1.0, INF]; "km"; "Flee (distance-weighted destinations)";
        /// Farthest destination a fleeing person considers.
        max_flee_km: f64 = 250.0; [0.0, INF]; "km"; "Flee max movement 360 km/day; assumption";
        /// Daily chance that a displaced person outside a site moves on from a locality with recent violence.
        move_chance_conflict: f64 = 1.0; [0.0, 1.0]; "1/day"; "Flee default (conflict zone 1.0)";
        /// Daily chance that a displaced person outside a site moves on from a calm locality.
        move_chance_town: f64 = 0.02; [0.0, 1.0]; "1/day"; "assumption (Flee town 0.3 is for transit points)";
        /// Days over which violent events make a locality a conflict zone.
        conflict_memory_days: u32 = 7; [1, 365]; "days"; "assumption";
        /// Violent events per 10,000 residents within the conflict memory that make a locality a conflict zone (Flee's conflict locations; per head, so that it does not depend on how localities are cut).
        conflict_zone_events_per_10k: f64 = 0.1; [0.0, 10000.0]; "events/10,000"; "assumption (one event in a district of 100,000)";
        /// Time constant of the long-run victimisation rate at home that return decisions look at (sustained safety).
        return_safe_days: u32 = 90; [1, 3650]; "days"; "assumption (UNMISS site hysteresis)";
        /// Long-run civilian victims per 10,000 people per 30 days at home below which home counts as safe to return to.
        return_safe_victims_per_10k_30d: f64 = 2.0; [0.0, INF]; "victims/10,000/30 days"; "assumption";
        /// Daily return probability once home is safe and its services are comparable.
        return_rate_per_day: f64 = 0.01; [0.0, 1.0]; "1/day"; "assumption";
        /// Largest shortfall of home services (health access plus markets) relative to where a person is that still allows return.
        return_services_tolerance: f64 = 0.15; [0.0, 2.0]; "1"; "UNMISS 2020 ('many stay just to access services')";
        /// Multiplier on attack hazard for displaced people outside sites.
        displaced_vulnerability_multiplier: f64 = 1.5; [0.0, 100.0]; "1"; "assumption";
        /// Share of a site's residents shielded from attacks on the surrounding locality, at full guard posture.
        site_shield_share: f64 = 0.9; [0.0, 1.0]; "1"; "assumption";
        /// Daily probability that a displaced person in a locality with a site applies to enter it, per unit of perceived insecurity.
        site_seek_rate_per_day: f64 = 0.3; [0.0, 1.0]; "1/day"; "assumption (UNMISS influx within days)";
    }
}

param_section! {
    /// D10: epidemic coupled to conflict and health capacity; baseline mortality.
    pub struct Health ("rules.health") {
        /// Basic reproduction number of the epidemic pathogen.
        r0: f64 = 1.83; [0.0, 50.0]; "1"; "WHO Ebola Response Team 2014 (Liberia 1.83)";
        /// Mean incubation (latent) period.
        incubation_days: f64 = 11.4; [0.1, 365.0]; "days"; "WHO Ebola Response Team 2014";
        /// Mean infectious period (serial interval 15.3 days minus incubation, for exponential stages).
        infectious_days: f64 = 3.9; [0.1, 365.0]; "days"; "derived from WHO ERT 2014 serial interval; assumption";
        /// Probability that an untreated case dies.
        case_fatality_share: f64 = 0.708; [0.0, 1.0]; "1"; "WHO Ebola Response Team 2014";
        /// Multiplier on transmission in a locality 1-10 weeks after violence.
        conflict_multiplier: f64 = 1.9; [1.0, 10.0]; "1"; "BMC Public Health 2024 (1.88 DRC, 1.98 Guinea)";
        /// Start of the lag window after violence during which transmission is amplified.
        conflict_lag_min_days: u32 = 7; [0, 365]; "days"; "BMC Public Health 2024";
        /// End of the lag window after violence during which transmission is amplified.
        conflict_lag_max_days: u32 = 70; [1, 365]; "days"; "BMC Public Health 2024";
        /// Violent events per 100,000 people in the lag window at which 63 % (1 - 1/e) of the amplification applies (one event in a 150,000-person health zone gives about 74 %).
        conflict_events_scale_per_100k: f64 = 0.5; [0.0001, 10000.0]; "events/100,000"; "assumption scaled to DRC health zones (BMC Public Health 2024 counts any event in a zone)";
        /// Reduction of onward transmission for isolated cases.
        isolation_reduction_share: f64 = 0.9; [0.0, 1.0]; "1"; "Lindblade et al. 2015";
        /// Reduction of the case-fatality risk for treated (isolated) cases.
        treatment_fatality_reduction_share: f64 = 0.5; [0.0, 1.0]; "1"; "Lindblade et al. 2015";
        /// Share of transmission at funerals, removed by safe burials.
        funeral_transmission_share: f64 = 0.086; [0.0, 1.0]; "1"; "Merler et al. 2015";
        /// Share of transmission in health facilities, removed by infection control.
        facility_transmission_share: f64 = 0.383; [0.0, 1.0]; "1"; "Merler et al. 2015";
        /// Share of a locality's contacts made with neighbouring localities.
        neighbour_mixing_share: f64 = 0.03; [0.0, 1.0]; "1"; "assumption";
        /// Multiplier on transmission inside a full protection site (crowding).
        site_crowding_multiplier: f64 = 1.5; [1.0, 20.0]; "1"; "assumption";
        /// Largest reduction of contacts from community engagement and behaviour change.
        behaviour_change_max_share: f64 = 0.5; [0.0, 1.0]; "1"; "Fast et al. 2015 (Lofa County); magnitude assumption";
        /// Background crude death rate of the starting population (the age, access, food and chronic-illness multipliers are relative risks around it); excess mortality is measured against it.
        baseline_mortality_per_10k_day: f64 = 0.44; [0.0, 100.0]; "deaths/10,000/day"; "Sphere sub-Saharan Africa baseline (Checchi2008CH); scenarios set their country's rate (docs/TARGETS.md)";
        /// Crude birth rate: births per 10,000 people per day in the starting population; later births follow the number of women of childbearing age (15-59 here).
        birth_rate_per_10k_day: f64 = 0.90; [0.0, 10.0]; "births/10,000/day"; "WDI-CBR2019: 33.0 per 1,000 per year in fragile and conflict-affected states (2019); scenarios set their country's rate (docs/TARGETS.md)";
        /// Mortality multiplier for children (0-14).
        child_mortality_multiplier: f64 = 1.2; [0.0, 100.0]; "1"; "assumption";
        /// Mortality multiplier for youth (15-24).
        youth_mortality_multiplier: f64 = 0.3; [0.0, 100.0]; "1"; "assumption";
        /// Mortality multiplier for adults (25-59).
        adult_mortality_multiplier: f64 = 0.7; [0.0, 100.0]; "1"; "assumption";
        /// Mortality multiplier for elders (60+).
        elder_mortality_multiplier: f64 = 5.0; [0.0, 100.0]; "1"; "assumption";
        /// Mortality multiplier for people without health access.
        no_access_mortality_multiplier: f64 = 1.5; [1.0, 100.0]; "1"; "assumption";
        /// Mortality multiplier for food-insecure people.
        food_insecure_mortality_multiplier: f64 = 2.0; [1.0, 100.0]; "1"; "assumption (IPC: mortality rises with food gaps)";
        /// Mortality multiplier for chronically ill people.
        chronic_mortality_multiplier: f64 = 3.0; [1.0, 100.0]; "1"; "assumption";
        /// Mean recovery time from an injury.
        injury_recovery_days: f64 = 30.0; [1.0, 3650.0]; "days"; "assumption";
        /// Share of the population with a chronic illness at the start.
        chronic_illness_share: f64 = 0.06; [0.0, 1.0]; "1"; "assumption";
        /// Largest reduction of contacts that people make on their own out of fear of dying (endogenous behaviour change).
        fear_contact_reduction_max_share: f64 = 0.6; [0.0, 1.0]; "1"; "Fast et al. 2015 (Lofa: only a model with behaviour change fits); Funk et al. 2017; magnitude assumption";
        /// Recent epidemic deaths per 10,000 people per 30 days at which fear achieves 63 % (1 - 1/e) of its largest contact reduction.
        fear_deaths_scale_per_10k_30d: f64 = 1.0; [0.0001, 10000.0]; "deaths/10,000/30 days"; "assumption: Liberia's epidemic turned at about 2 deaths/10,000/month (WHO 2014)";
        /// Weight of national, as opposed to local, epidemic deaths in the fear that changes behaviour (news, radio).
        fear_national_weight_share: f64 = 0.5; [0.0, 1.0]; "1"; "assumption";
        /// Time constant of the memory of epidemic deaths that drives fear.
        fear_memory_days: f64 = 21.0; [1.0, 3650.0]; "days"; "assumption";
        /// Share of cases detected, and so eligible for isolation, where health access is full.
        detection_share: f64 = 0.7; [0.0, 1.0]; "1"; "assumption";
    }
}

param_section! {
    /// Economy and food: income from livelihoods, markets, prices and programmes.
    pub struct Economy ("rules.economy") {
        /// Time constant over which market functioning returns to its baseline.
        market_recovery_days: f64 = 60.0; [1.0, 3650.0]; "days"; "assumption";
        /// Share of market functioning (and health access) lost per violent event per 10,000 residents of the locality (per head, so that it does not depend on how localities are cut).
        violence_market_damage_share: f64 = 0.03; [0.0, 1.0]; "1/(event/10,000)"; "assumption";
        /// Share of livelihood income lost while displaced.
        displacement_income_loss_share: f64 = 0.6; [0.0, 1.0]; "1"; "assumption";
        /// Share of income lost at the highest local violence level.
        insecurity_income_loss_share: f64 = 0.5; [0.0, 1.0]; "1"; "assumption";
        /// Share of income lost while infectious with the epidemic.
        illness_income_loss_share: f64 = 1.0; [0.0, 1.0]; "1"; "assumption";
        /// Share of income lost while injured.
        injury_income_loss_share: f64 = 0.5; [0.0, 1.0]; "1"; "assumption";
        /// Share of income lost by the chronically ill.
        chronic_income_loss_share: f64 = 0.3; [0.0, 1.0]; "1"; "assumption";
        /// Income equivalent of food rations and services in a protection site, in subsistence lines.
        site_ration_income: f64 = 0.8; [0.0, 10.0]; "subsistence lines"; "assumption (WFP rations in UNMISS sites)";
        /// Time constant over which food security follows income, prices and harvests.
        food_smoothing_days: f64 = 30.0; [1.0, 3650.0]; "days"; "assumption";
        /// Share of a rural livelihood (crop and livestock income) lost at the highest environmental stress, while at home.
        drought_income_loss_share: f64 = 0.5; [0.0, 1.0]; "1"; "assumption: about half of rural household income in sub-Saharan Africa is from own farming; a severe drought destroys most of it";
        /// Share of food lost by rural people at the highest environmental stress.
        drought_food_loss_share: f64 = 0.6; [0.0, 1.0]; "1"; "assumption";
        /// Largest boost of market functioning above its baseline from quick-impact projects.
        programme_market_boost_share: f64 = 0.3; [0.0, 1.0]; "1"; "assumption";
        /// Time constant over which environmental stress and food prices return to normal.
        shock_recovery_days: f64 = 120.0; [1.0, 3650.0]; "days"; "assumption";
        /// Daily cost of food per person, in subsistence lines, at normal prices (food share of the line).
        food_cost_share: f64 = 0.8; [0.01, 10.0]; "subsistence lines"; "assumption";
    }
}

param_section! {
    /// Community and politics: tension, cohesion, early warning and political voice.
    pub struct Community ("rules.community") {
        /// Rise of inter-group tension per identity-based attack per 10,000 residents of the locality.
        tension_per_identity_attack_per_10k: f64 = 0.04; [0.0, 1.0]; "1/(attack/10,000)"; "assumption";
        /// Rise of tension per unit share of displaced newcomers in the population, per day.
        influx_tension_per_day: f64 = 0.01; [0.0, 1.0]; "1/day"; "assumption";
        /// Time constant over which tension and cohesion return to their baselines.
        relax_days: f64 = 180.0; [1.0, 3650.0]; "days"; "assumption";
        /// Daily reduction of tension at full engagement (dialogue).
        dialogue_tension_reduction_per_day: f64 = 0.01; [0.0, 1.0]; "1/day"; "assumption";
        /// Daily gain of early-warning coverage toward the engagement level.
        early_warning_gain_per_day: f64 = 0.02; [0.0, 1.0]; "1/day"; "assumption";
        /// Time constant over which early-warning networks decay without engagement.
        early_warning_decay_days: f64 = 365.0; [1.0, 3650.0]; "days"; "assumption";
        /// Daily gain of political voice at full engagement.
        voice_gain_per_day: f64 = 0.0002; [0.0, 1.0]; "1/day"; "Casey2012, KingSamii2014 (community-driven programmes change local institutions and voice little, if at all); magnitude assumption: full coverage lifts voice by about 0.05 within a year";
        /// Share of political voice lost while displaced.
        displacement_voice_loss_share: f64 = 0.4; [0.0, 1.0]; "1"; "assumption";
        /// Time constant over which political voice returns to its baseline.
        voice_relax_days: f64 = 365.0; [1.0, 3650.0]; "days"; "assumption";
        /// Perceived-insecurity time constant.
        insecurity_smoothing_days: f64 = 14.0; [1.0, 3650.0]; "days"; "assumption";
        /// Local violent deaths and injuries per 10,000 people over the last 30 days that make perceived insecurity (how fast the displaced seek a site; the personal dimension of deprivation) and a place's unsafety 0.63 (1 - 1/e).
        insecurity_violence_scale: f64 = 30.0; [0.001, INF]; "victims/10,000/30 days"; "assumption (calibrated with flee_threshold to South Sudan's first weeks while flight read violence per head; it no longer moves people from home, docs/ODD.md §7.6)";
        /// The smallest rate of violence people hear of that makes them fear for their safety: the reported fear of a person rises with the logarithm of (1 + the violence they hear of / this rate) (Lichtenstein et al. 1978: people overestimate rare risks and judge frequencies on a compressed, roughly logarithmic scale).
        fear_violence_scale: f64 = 0.004; [0.000001, INF]; "victims/10,000/30 days"; "calibrated: the HHI/UNDP poll of Goma, Sep-Oct 2017 (23 % feel unsafe by day, 81 % at night; docs/TARGETS.md, MONUSCO), at the rate of violence Goma's people hear of in the MONUSCO scenario";
        /// Rate of violence people hear of at which their fear reaches its full range.
        fear_saturation: f64 = 300.0; [0.000001, INF]; "victims/10,000/30 days"; "assumption (above the highest local rates of the shipped scenarios, about 100 in South Sudan's worst counties)";
        /// Time constant of the memory of violence behind the fear people report.
        fear_memory_days: f64 = 90.0; [1.0, 3650.0]; "days"; "assumption (the months over which returnees judge home safe, D6's return_safe_days)";
        /// Spread of reported fear with a person's risk aversion: fear is shifted by this times (risk aversion - 0.5), as the flight threshold is (D6).
        fear_disposition_spread: f64 = 0.3; [0.0, 1.0]; "1"; "assumption (the same spread as the flight threshold's)";
        /// Weight of violence in linked and nearby localities, relative to violence where a person is, in perceived insecurity (word of mouth; decays with distance).
        rumour_share: f64 = 0.3; [0.0, 1.0]; "1"; "assumption (UNDP 2022: perceived insecurity is decoupled from local conditions)";
        /// Distance over which the weight of violence elsewhere in perceived insecurity falls by 1/e.
        rumour_distance_km: f64 = 50.0; [1.0, INF]; "km"; "assumption";
        /// Weight of the national rate of violence (news) in the violence people perceive.
        news_national_share: f64 = 0.1; [0.0, 1.0]; "1"; "assumption";
        /// Weight of own recent victimisation in perceived insecurity.
        insecurity_victimisation_weight: f64 = 0.6; [0.0, 1.0]; "1"; "assumption";
        /// Largest reduction of perceived insecurity from visible, trusted mission presence.
        insecurity_reassurance_share: f64 = 0.4; [0.0, 1.0]; "1"; "assumption";
        /// Baseline perceived insecurity with no violence (UNDP 2022: most people feel insecure).
        insecurity_baseline: f64 = 0.2; [0.0, 1.0]; "1"; "UNDP 2022 (perceived insecurity decoupled from development); level assumption";
        /// Time constant over which people learn how much of the local violence is aimed at people of their identity group.
        identity_threat_days: f64 = 30.0; [1.0, 3650.0]; "days"; "assumption; UNMISS PoC sites sheltered mostly the targeted group (docs/SOURCES.md facts 13-15)";
        /// Largest ratio of the violence a group perceives to the locality's mean (identity-targeted violence is feared by its targets).
        identity_threat_max_ratio: f64 = 5.0; [1.0, 100.0]; "1"; "assumption";
    }
}

param_section! {
    /// D8: trust in the mission and the state, support for armed groups, host consent, protest.
    pub struct Legitimacy ("rules.legitimacy") {
        /// Daily gain of trust in the mission where it is present and violence is low.
        protection_trust_gain_per_day: f64 = 0.003; [0.0, 1.0]; "1/day"; "assumption";
        /// Civilian deaths per 1,000 residents in a tick at which protection builds trust only 1/e as fast (calm is judged per head, so that it does not depend on how localities are cut).
        calm_harm_scale_per_1000: f64 = 0.01; [0.000001, INF]; "deaths/1,000"; "assumption (one death in a locality of 100,000)";
        /// Trust lost per mission-caused civilian death per 1,000 residents (as a share of current trust).
        mission_harm_trust_loss: f64 = 0.6; [0.0, 100.0]; "1/(death/1,000)"; "Lyall et al. 2013 (large, asymmetric)";
        /// Trust lost per armed-group civilian death per 1,000 residents where the mission is present and expected to protect.
        unmet_expectation_trust_loss: f64 = 0.08; [0.0, 100.0]; "1/(death/1,000)"; "MONUSCO 2022 backlash; magnitude assumption";
        /// Trust gained per armed-group civilian death per 1,000 residents (near zero: harm by others does not build support).
        armed_group_harm_trust_gain: f64 = 0.0; [0.0, 100.0]; "1/(death/1,000)"; "Lyall et al. 2013";
        /// Daily gain of trust in the mission at full service delivery (health, economic, empowerment).
        service_trust_gain_per_day: f64 = 0.003; [0.0, 1.0]; "1/day"; "Berman et al. 2011 (QIPs); magnitude assumption";
        /// Time constant over which trust returns to its baseline.
        trust_relax_days: f64 = 365.0; [1.0, 36500.0]; "days"; "assumption";
        /// Trust in the state lost per state-forces civilian death per 1,000 residents.
        state_harm_trust_loss: f64 = 0.4; [0.0, 100.0]; "1/(death/1,000)"; "assumption (Lyall et al. 2013 by analogy)";
        /// Trust in the state lost per non-state civilian death per 1,000 residents (failure to protect).
        state_failure_trust_loss: f64 = 0.05; [0.0, 100.0]; "1/(death/1,000)"; "assumption";
        /// Daily gain of trust in the state from sustained mission presence (reliance on state institutions).
        presence_state_trust_gain_per_day: f64 = 0.0005; [0.0, 1.0]; "1/day"; "Blair 2019 (slow, persistent)";
        /// Support for armed groups gained per mission-caused civilian death per 1,000 residents.
        support_gain_per_mission_harm: f64 = 0.5; [0.0, 100.0]; "1/(death/1,000)"; "Lyall et al. 2013; Condra & Shapiro 2012";
        /// Time constant over which support for armed groups fades.
        support_relax_days: f64 = 28.0; [1.0, 3650.0]; "days"; "Condra & Shapiro 2012 (under four weeks)";
        /// Host consent lost per attack by host-state forces deterred or prevented by the mission.
        consent_loss_per_prevented_state_attack: f64 = 0.0005; [0.0, 1.0]; "1/attack"; "Fjelde et al. 2019; Res. 2690 (direction); magnitude assumption";
        /// Host consent lost per mission offensive operation against host-state forces.
        consent_loss_per_offensive_on_state: f64 = 0.01; [0.0, 1.0]; "1/operation"; "assumption";
        /// Daily host consent gained at full national political engagement (Tier I dialogue).
        consent_gain_engagement_per_day: f64 = 0.0005; [0.0, 1.0]; "1/day"; "assumption";
        /// Trust in the mission below which protests against it start where it is present.
        protest_trust_threshold: f64 = 0.35; [0.0, 1.0]; "1"; "MONUSCO 2022; threshold assumption";
        /// Daily protest rate per unit trust gap below the threshold, times the mobilised share of residents.
        protest_rate_per_day: f64 = 2.0; [0.0, INF]; "1/day"; "assumption";
        /// Share of protests that turn into riots.
        riot_share: f64 = 0.3; [0.0, 1.0]; "1"; "assumption";
        /// Expected civilians killed by the mission's response per riot.
        riot_mission_fatalities: f64 = 1.0; [0.0, 1000.0]; "deaths"; "MONUSCO July 2022 (36 dead in a wave of protests); per-riot magnitude assumption";
        /// Expected peacekeepers killed per riot.
        riot_peacekeeper_fatalities: f64 = 0.1; [0.0, 1000.0]; "deaths"; "MONUSCO July 2022 (4 peacekeepers)";
        /// Posture left to a mission whose protection authority has been limited during drawdown.
        limited_posture_share: f64 = 0.2; [0.0, 1.0]; "1"; "Res. 2690 (PoC limited to imminent threats in the immediate vicinity)";
    }
}

param_section! {
    /// D11: what the mission's personnel, operations and programmes cost (docs/COSTS.md).
    pub struct Costs ("rules.costs") {
        /// Cost of one deployed troop per day (reimbursement, equipment, rations, rotation), paid from the budget before anything else.
        troop_usd_per_day: f64 = 85.0; [0.0, INF]; "US$/troop/day"; "derived: uniformed share of UN peacekeeping appropriations per uniformed person, 2013/14 (CIC-PK-data, UN-factsheet-2013; docs/COSTS.md §2)";
        /// Cost of one deployed police officer per day (formed units are reimbursed at the troop rate).
        police_usd_per_day: f64 = 85.0; [0.0, INF]; "US$/officer/day"; "UN-reimbursement (formed police at the troop rate; docs/COSTS.md §2)";
        /// Cost of one unarmed military observer per day (mission subsistence allowance).
        observer_usd_per_day: f64 = 160.0; [0.0, INF]; "US$/observer/day"; "assumption (US$120-200 per day, docs/COSTS.md §2)";
        /// Cost of one civilian staff member per day, all categories.
        civilian_usd_per_day: f64 = 250.0; [0.0, INF]; "US$/civilian/day"; "derived: civilian share of UN peacekeeping appropriations per civilian, 2013/14 (CIC-PK-data; docs/COSTS.md §2)";
        /// Operations (patrols, flights, fuel, vehicles, camps) that keep one deployed troop or police officer at full operational tempo, per day.
        operations_usd_per_uniformed_day: f64 = 80.0; [0.001, INF]; "US$/uniformed/day"; "derived: operational share of five missions' budgets per uniformed person, US$60-100 (docs/COSTS.md §3)";
        /// Subsistence line in US$ per person per day at normal prices (converts transfers into the model's income unit).
        subsistence_line_usd_per_day: f64 = 0.36; [0.001, INF]; "US$/person/day"; "derived: WFP full food basket US$8.6 per person per month (WFP-Uganda-cash) over the food share of the line, rules.economy.food_cost_share = 0.8";
        /// Share of a transfer lost to delivery (targeting, logistics, fees).
        transfer_overhead_share: f64 = 0.15; [0.0, 1.0]; "1"; "assumption (10-20 %, docs/COSTS.md §4.3)";
        /// Cost of running one isolation and treatment bed for a day in an epidemic.
        isolation_usd_per_bed_day: f64 = 650.0; [0.001, INF]; "US$/bed/day"; "derived: WHO estimate of US$1 M per month for a 50-bed Ebola treatment unit (Economist2014-ETU; docs/COSTS.md §4.4)";
    }
}

param_section! {
    /// D11: how mission spending and personnel turn into effects, with diminishing returns.
    pub struct MissionEffects ("rules.mission") {
        /// Health services spend per person per day that buys 63 % (1 - 1/e) of full coverage with a basic package (the first dollars buy the most cost-effective care).
        health_scale_usd_per_person_day: f64 = 0.15; [0.0001, INF]; "US$/person/day"; "Watkins2020 (basic package US$40-79 per person per year = 0.11-0.22 per day; docs/COSTS.md §4.4)";
        /// Project spend (quick-impact and livelihood projects) per person per day that buys 63 % of the largest market recovery.
        economic_scale_usd_per_person_day: f64 = 0.1; [0.0001, INF]; "US$/person/day"; "assumption (QIPs US$10-100 per person reached, docs/COSTS.md §4.1)";
        /// Engagement spend (community liaison, dialogue, alert networks) per person per day that buys 63 % of the largest empowerment effect.
        empowerment_scale_usd_per_person_day: f64 = 0.02; [0.0001, INF]; "US$/person/day"; "assumption (MONUSCO community alert networks cost about US$0.002 per person per day of the east, docs/COSTS.md §4.5; a full programme of dialogue and voice costs more)";
        /// Share of economic spend paid out as cash or food transfers to people below the subsistence line (the rest funds projects).
        transfer_share: f64 = 0.5; [0.0, 1.0]; "1"; "assumption";
        /// Programme spend one civilian staff member can implement per day (caps non-protection pillars).
        implementation_usd_per_civilian_day: f64 = 400.0; [0.0, INF]; "US$/day"; "assumption";
        /// Radius within which a deployed unit covers people (coverage indicator and patrols).
        coverage_radius_km: f64 = 30.0; [0.0, INF]; "km"; "assumption";
        /// Project spend per person per day above which projects are visible enough to attract spoilers (D9).
        qip_visibility_threshold_usd_per_person_day: f64 = 0.05; [0.0, INF]; "US$/person/day"; "UN QIP policy (small projects); threshold assumption";
        /// Troops assigned to guard each protection site, per 1,000 residents, before other deployments.
        site_guard_troops_per_1000: f64 = 25.0; [0.0, 1000.0]; "troops/1,000 residents"; "Malakal Board of Inquiry 2016 (about 1,200 peacekeepers for 47,700 residents)";
        /// Expected civilian victims per 1,000 residents per 30 days the mission attributes to each armed fighter per 1,000 residents within reach (threat from observed armed presence).
        armed_presence_threat_weight: f64 = 0.03; [0.0, INF]; "victims/fighter"; "assumption";
        /// Largest addition to health access from the health pillar.
        health_access_boost_share: f64 = 0.5; [0.0, 1.0]; "1"; "assumption";
        /// Time constant over which programme effects build up toward (or decay from) what spending buys.
        programme_ramp_days: f64 = 60.0; [0.0, 3650.0]; "days"; "assumption (clinics, projects and networks take weeks to set up)";
    }
}

/// All mechanism parameters (`[rules]` and its sub-tables).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Rules {
    /// D1 parameters.
    pub mobilisation: Mobilisation,
    /// D1 arrest-ratio rule: `floor` (NetLogo), `round` (Mesa) or `identity` (Epstein's printed rule).
    pub arrest_rule: ArrestRule,
    /// D2 parameters.
    pub recruitment: Recruitment,
    /// D3, D4, D6, D9 parameters.
    pub targeting: Targeting,
    /// D5 and mission-operation parameters.
    pub battles: Battles,
    /// D7 parameters.
    pub displacement: Displacement,
    /// D10 and mortality parameters.
    pub health: Health,
    /// Economy and food parameters.
    pub economy: Economy,
    /// Community and politics parameters.
    pub community: Community,
    /// D8 parameters.
    pub legitimacy: Legitimacy,
    /// D11 cost parameters.
    pub costs: Costs,
    /// D11 parameters.
    pub mission: MissionEffects,
}

/// How the ratio of security forces to mobilised people enters the arrest probability.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ArrestRule {
    /// `floor(C/A)`, NetLogo Rebellion's rule: P = 0 once mobilised people outnumber security forces.
    #[default]
    Floor,
    /// `round(C/A)`, Mesa's rule.
    Round,
    /// `C/A` as printed in Epstein (2002): continuous, does not give punctuated bursts.
    Identity,
}

impl ArrestRule {
    /// Applies the rule to a ratio of security forces to mobilised people.
    #[must_use]
    pub fn apply(self, ratio: f64) -> f64 {
        match self {
            Self::Floor => ratio.floor(),
            Self::Round => ratio.round(),
            Self::Identity => ratio,
        }
    }
}

impl Rules {
    /// Lists every mechanism parameter.
    #[must_use]
    pub fn catalogue() -> Vec<ParamInfo> {
        let mut all = Vec::new();
        all.extend(Mobilisation::catalogue());
        all.extend(Recruitment::catalogue());
        all.extend(Targeting::catalogue());
        all.extend(Battles::catalogue());
        all.extend(Displacement::catalogue());
        all.extend(Health::catalogue());
        all.extend(Economy::catalogue());
        all.extend(Community::catalogue());
        all.extend(Legitimacy::catalogue());
        all.extend(Costs::catalogue());
        all.extend(MissionEffects::catalogue());
        all
    }

    pub(crate) fn check_ranges(&self, errors: &mut FieldErrors) {
        self.mobilisation.check_ranges(errors);
        self.recruitment.check_ranges(errors);
        self.targeting.check_ranges(errors);
        self.battles.check_ranges(errors);
        self.displacement.check_ranges(errors);
        self.health.check_ranges(errors);
        self.economy.check_ranges(errors);
        self.community.check_ranges(errors);
        self.legitimacy.check_ranges(errors);
        self.costs.check_ranges(errors);
        self.mission.check_ranges(errors);
        if self.health.conflict_lag_min_days > self.health.conflict_lag_max_days {
            errors.push(
                "rules.health.conflict_lag_min_days".to_string(),
                format!(
                    "must not exceed rules.health.conflict_lag_max_days ({}), got {}",
                    self.health.conflict_lag_max_days, self.health.conflict_lag_min_days
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_lie_in_their_ranges() {
        let mut errors = FieldErrors::default();
        Rules::default().check_ranges(&mut errors);
        assert!(errors.is_empty(), "{errors:?}");
    }

    #[test]
    fn catalogue_names_every_parameter_once_with_a_source() {
        let cat = Rules::catalogue();
        let mut paths: Vec<&str> = cat.iter().map(|p| p.path.as_str()).collect();
        paths.sort_unstable();
        paths.dedup();
        assert_eq!(paths.len(), cat.len());
        assert!(cat.iter().all(|p| !p.source.is_empty() && !p.meaning.is_empty()));
    }

    #[test]
    fn out_of_range_and_nan_values_are_reported_with_their_path() {
        let mut rules = Rules::default();
        rules.health.r0 = -1.0;
        rules.targeting.concentration = f64::NAN;
        let mut errors = FieldErrors::default();
        rules.check_ranges(&mut errors);
        let text = format!("{errors:?}");
        assert!(text.contains("rules.health.r0"), "{text}");
        assert!(text.contains("rules.targeting.concentration"), "{text}");
        assert_eq!(errors.len(), 2);
    }

    #[test]
    fn arrest_rules_differ_as_documented() {
        assert_eq!(ArrestRule::Floor.apply(0.9), 0.0);
        assert_eq!(ArrestRule::Round.apply(0.9), 1.0);
        assert!((ArrestRule::Identity.apply(0.9) - 0.9).abs() < 1e-12);
    }
}
