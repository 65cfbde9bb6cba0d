//! The mission's pillars of effort, and values kept per pillar.
//!
//! A mission's policy splits its means over four pillars (model brief, phase 2): physical
//! protection, health, economic and empowerment work. [`Pillar`] names them and [`PerPillar`]
//! holds one value per pillar with a named field each, so that a scenario's
//! `[mission.policy.weights]` table maps onto it directly and adding a pillar is a change the
//! compiler walks you through: every `match` on [`Pillar`] and every `PerPillar { .. }` literal
//! stops compiling until the new pillar is handled (ARCHITECTURE.md lists the files).
//!
//! This module knows nothing of the model's mechanisms; it must not import anything from the
//! crate.

use std::ops::{Index, IndexMut};

use serde::{Deserialize, Serialize};

/// One of the mission's pillars of effort.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Pillar {
    /// Physical protection: presence, response, site guarding, interposition.
    Protection,
    /// Health: clinics, isolation, safe burials.
    Health,
    /// Economic: quick-impact projects, livelihood programmes.
    Economic,
    /// Empowerment: engagement, dialogue, early warning, political voice.
    Empowerment,
}

impl Pillar {
    /// Every pillar, in the order of outputs and weight vectors.
    pub const ALL: [Self; 4] = [Self::Protection, Self::Health, Self::Economic, Self::Empowerment];

    /// Number of pillars.
    pub const COUNT: usize = Self::ALL.len();

    /// The pillars that are programmes (everything but protection): money spent on them is
    /// implemented by civilian staff.
    pub const PROGRAMMES: [Self; 3] = [Self::Health, Self::Economic, Self::Empowerment];

    /// Name as in scenario files and outputs.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Protection => "protection",
            Self::Health => "health",
            Self::Economic => "economic",
            Self::Empowerment => "empowerment",
        }
    }

    /// Position in [`Pillar::ALL`].
    #[must_use]
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The pillar with this name, if any.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    /// Every pillar's name, in [`Pillar::ALL`] order.
    #[must_use]
    pub const fn names() -> [&'static str; Self::COUNT] {
        let mut names = [""; Self::COUNT];
        let mut i = 0;
        while i < Self::COUNT {
            names[i] = Self::ALL[i].name();
            i += 1;
        }
        names
    }
}

impl std::fmt::Display for Pillar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One value per pillar. Serialises as a table with one key per pillar name (the shape of
/// `[mission.policy.weights]`); unknown keys are refused.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PerPillar<T> {
    /// Physical protection.
    pub protection: T,
    /// Health.
    pub health: T,
    /// Economic.
    pub economic: T,
    /// Empowerment.
    pub empowerment: T,
}

impl<T> PerPillar<T> {
    /// A value for every pillar from a function of the pillar.
    pub fn from_fn(mut f: impl FnMut(Pillar) -> T) -> Self {
        Self {
            protection: f(Pillar::Protection),
            health: f(Pillar::Health),
            economic: f(Pillar::Economic),
            empowerment: f(Pillar::Empowerment),
        }
    }

    /// The values in [`Pillar::ALL`] order, with their pillars.
    pub fn iter(&self) -> impl Iterator<Item = (Pillar, &T)> {
        Pillar::ALL.into_iter().map(move |p| (p, &self[p]))
    }

    /// The values in [`Pillar::ALL`] order.
    pub fn values(&self) -> impl Iterator<Item = &T> {
        Pillar::ALL.into_iter().map(move |p| &self[p])
    }

    /// Applies `f` to every value.
    pub fn map<U>(&self, mut f: impl FnMut(&T) -> U) -> PerPillar<U> {
        PerPillar::from_fn(|p| f(&self[p]))
    }
}

impl<T: Copy> PerPillar<T> {
    /// The same value for every pillar.
    pub fn splat(value: T) -> Self {
        Self::from_fn(|_| value)
    }
}

impl PerPillar<f64> {
    /// Sum of the values, in [`Pillar::ALL`] order.
    #[must_use]
    pub fn sum(&self) -> f64 {
        self.values().sum()
    }
}

impl<T> Index<Pillar> for PerPillar<T> {
    type Output = T;

    fn index(&self, pillar: Pillar) -> &T {
        match pillar {
            Pillar::Protection => &self.protection,
            Pillar::Health => &self.health,
            Pillar::Economic => &self.economic,
            Pillar::Empowerment => &self.empowerment,
        }
    }
}

impl<T> IndexMut<Pillar> for PerPillar<T> {
    fn index_mut(&mut self, pillar: Pillar) -> &mut T {
        match pillar {
            Pillar::Protection => &mut self.protection,
            Pillar::Health => &mut self.health,
            Pillar::Economic => &mut self.economic,
            Pillar::Empowerment => &mut self.empowerment,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_in_order() {
        assert_eq!(Pillar::names(), ["protection", "health", "economic", "empowerment"]);
        for (i, p) in Pillar::ALL.into_iter().enumerate() {
            assert_eq!(p.index(), i);
            assert_eq!(Pillar::from_name(p.name()), Some(p));
        }
        assert_eq!(Pillar::from_name("mine_action"), None);
        assert!(!Pillar::PROGRAMMES.contains(&Pillar::Protection));
        assert_eq!(Pillar::PROGRAMMES.len() + 1, Pillar::COUNT);
    }

    #[test]
    fn per_pillar_indexes_and_iterates_in_order() {
        let mut w = PerPillar::from_fn(|p| p.index() as f64);
        w[Pillar::Economic] += 10.0;
        assert_eq!(w.economic, 12.0);
        let seen: Vec<(Pillar, f64)> = w.iter().map(|(p, v)| (p, *v)).collect();
        assert_eq!(seen[2], (Pillar::Economic, 12.0));
        assert_eq!(w.sum(), 0.0 + 1.0 + 12.0 + 3.0);
        assert_eq!(w.map(|v| v * 2.0).health, 2.0);
        assert_eq!(PerPillar::splat(1u8).values().count(), Pillar::COUNT);
    }

    #[test]
    fn per_pillar_reads_a_weights_table_and_refuses_unknown_keys() {
        let w: PerPillar<f64> = toml::from_str("protection = 0.4\nhealth = 0.3\neconomic = 0.2\nempowerment = 0.1").expect("valid table");
        assert_eq!(w[Pillar::Health], 0.3);
        assert!(toml::from_str::<PerPillar<f64>>("protection = 1\nhealth = 0\neconomic = 0\nempowerment = 0\nmines = 0").is_err());
    }
}
