//! Parameter spaces: ranges of the uncertain parameters and the map between them and the unit
//! hypercube where every design is drawn.
//!
//! A range is also a prior (uniform or log-uniform), whose density is constant in unit-cube
//! coordinates: the calibration code relies on that. Must not know parameter names' meaning.

use serde::{Deserialize, Serialize};

use super::random::{seeded_rng, uniform};
use super::{UqResult, invalid};

/// How a range is spread between its bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RangeScale {
    /// Uniform: `x = low + u (high − low)`.
    Uniform,
    /// Log-uniform, for positive ranges spanning orders of magnitude: `x = low (high/low)^u`.
    LogUniform,
}

/// The range of one uncertain parameter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParameterRange {
    /// Name, carried through to reports (not interpreted here).
    pub name: String,
    /// Lower bound.
    pub low: f64,
    /// Upper bound (greater than `low`).
    pub high: f64,
    /// Spread between the bounds.
    pub scale: RangeScale,
}

impl ParameterRange {
    /// A uniform range.
    #[must_use]
    pub fn uniform(name: impl Into<String>, low: f64, high: f64) -> Self {
        Self {
            name: name.into(),
            low,
            high,
            scale: RangeScale::Uniform,
        }
    }

    /// A log-uniform range (both bounds positive).
    #[must_use]
    pub fn log_uniform(name: impl Into<String>, low: f64, high: f64) -> Self {
        Self {
            name: name.into(),
            low,
            high,
            scale: RangeScale::LogUniform,
        }
    }

    fn check(&self, index: usize) -> UqResult<()> {
        if !self.low.is_finite() || !self.high.is_finite() || self.low >= self.high {
            return Err(invalid!(
                "range {index} ({}): needs finite low < high, got [{}, {}]",
                self.name,
                self.low,
                self.high
            ));
        }
        if self.scale == RangeScale::LogUniform && self.low <= 0.0 {
            return Err(invalid!(
                "range {index} ({}): a log-uniform range needs low > 0, got {}",
                self.name,
                self.low
            ));
        }
        Ok(())
    }

    /// Parameter value at unit coordinate `u` (not checked).
    fn value_at(&self, u: f64) -> f64 {
        match self.scale {
            RangeScale::Uniform => self.low + u * (self.high - self.low),
            RangeScale::LogUniform => self.low * (self.high / self.low).powf(u),
        }
    }

    /// Unit coordinate of value `x` (not checked).
    fn unit_of(&self, x: f64) -> f64 {
        match self.scale {
            RangeScale::Uniform => (x - self.low) / (self.high - self.low),
            RangeScale::LogUniform => (x / self.low).ln() / (self.high / self.low).ln(),
        }
    }
}

/// The uncertain parameters: a box of validated ranges, also used as the prior.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParameterSpace {
    ranges: Vec<ParameterRange>,
}

impl ParameterSpace {
    /// Validates the ranges: at least one, finite, `low < high`, log-uniform ones positive.
    ///
    /// # Errors
    /// [`super::UqError::InvalidArgument`] naming the first bad range.
    pub fn new(ranges: Vec<ParameterRange>) -> UqResult<Self> {
        if ranges.is_empty() {
            return Err(invalid!("a parameter space needs at least one range"));
        }
        for (i, range) in ranges.iter().enumerate() {
            range.check(i)?;
        }
        Ok(Self { ranges })
    }

    /// Number of parameters.
    #[must_use]
    pub fn dimension(&self) -> usize {
        self.ranges.len()
    }

    /// The ranges, in order.
    #[must_use]
    pub fn ranges(&self) -> &[ParameterRange] {
        &self.ranges
    }

    /// Maps one unit-cube point to parameter values.
    ///
    /// # Errors
    /// When the point has the wrong length or a coordinate outside `[0, 1]`.
    pub fn to_parameters(&self, unit_point: &[f64]) -> UqResult<Vec<f64>> {
        self.check_unit_point(unit_point)?;
        Ok(self.ranges.iter().zip(unit_point).map(|(r, &u)| r.value_at(u)).collect())
    }

    /// Maps every point of a unit-cube design to parameter values.
    ///
    /// # Errors
    /// As [`Self::to_parameters`], naming the row.
    pub fn design_to_parameters(&self, unit_points: &[Vec<f64>]) -> UqResult<Vec<Vec<f64>>> {
        unit_points
            .iter()
            .enumerate()
            .map(|(i, p)| self.to_parameters(p).map_err(|e| invalid!("design row {i}: {e}")))
            .collect()
    }

    /// Maps parameter values back to the unit cube.
    ///
    /// # Errors
    /// When the point has the wrong length or a value outside its range.
    pub fn to_unit(&self, parameters: &[f64]) -> UqResult<Vec<f64>> {
        if parameters.len() != self.dimension() {
            return Err(invalid!(
                "point has {} values, the space has {} parameters",
                parameters.len(),
                self.dimension()
            ));
        }
        self.ranges
            .iter()
            .zip(parameters)
            .enumerate()
            .map(|(i, (r, &x))| {
                if !(r.low..=r.high).contains(&x) {
                    return Err(invalid!("parameter {i} ({}) = {x} is outside [{}, {}]", r.name, r.low, r.high));
                }
                Ok(r.unit_of(x).clamp(0.0, 1.0))
            })
            .collect()
    }

    /// `n` independent draws from the prior (uniform in the unit cube, then scaled), returned as
    /// parameter values. Row `i` depends only on `seed` and `i`'s position in the stream.
    ///
    /// # Errors
    /// When `n` is zero.
    pub fn sample_prior(&self, n: usize, seed: u64) -> UqResult<Vec<Vec<f64>>> {
        if n == 0 {
            return Err(invalid!("sample_prior: n must be positive"));
        }
        let mut rng = seeded_rng(seed, 0x50_5249_4f52); // "PRIOR"
        Ok((0..n)
            .map(|_| self.ranges.iter().map(|r| r.value_at(uniform(&mut rng))).collect())
            .collect())
    }

    fn check_unit_point(&self, unit_point: &[f64]) -> UqResult<()> {
        if unit_point.len() != self.dimension() {
            return Err(invalid!(
                "unit point has {} coordinates, the space has {} parameters",
                unit_point.len(),
                self.dimension()
            ));
        }
        if let Some(i) = unit_point.iter().position(|u| !(0.0..=1.0).contains(u)) {
            return Err(invalid!("unit coordinate {i} = {} is outside [0, 1]", unit_point[i]));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniform_and_log_uniform_scaling_round_trip() {
        let space = ParameterSpace::new(vec![
            ParameterRange::uniform("a", -2.0, 6.0),
            ParameterRange::log_uniform("b", 0.01, 100.0),
        ])
        .unwrap();
        let x = space.to_parameters(&[0.25, 0.5]).unwrap();
        assert!((x[0] - 0.0).abs() < 1e-12);
        assert!((x[1] - 1.0).abs() < 1e-12, "log-uniform midpoint is the geometric mean");
        let u = space.to_unit(&x).unwrap();
        assert!((u[0] - 0.25).abs() < 1e-12 && (u[1] - 0.5).abs() < 1e-12);
    }

    #[test]
    fn bad_ranges_and_points_are_errors() {
        assert!(ParameterSpace::new(vec![]).is_err());
        assert!(ParameterSpace::new(vec![ParameterRange::uniform("a", 1.0, 1.0)]).is_err());
        assert!(ParameterSpace::new(vec![ParameterRange::uniform("a", 0.0, f64::NAN)]).is_err());
        assert!(ParameterSpace::new(vec![ParameterRange::log_uniform("a", 0.0, 1.0)]).is_err());
        let space = ParameterSpace::new(vec![ParameterRange::uniform("a", 0.0, 1.0)]).unwrap();
        assert!(space.to_parameters(&[1.5]).is_err());
        assert!(space.to_parameters(&[0.5, 0.5]).is_err());
        assert!(space.to_unit(&[2.0]).is_err());
        assert!(space.sample_prior(0, 1).is_err());
    }
}
