//! Rigid-body maths and the IMU model: vectors, quaternions, orientation integration, and how a
//! sensor turns motion into accelerometer and gyroscope readings.
//!
//! Conventions: an orientation quaternion maps SENSOR coordinates to WORLD coordinates
//! (`v_world = q * v_sensor * q^-1`), the world's z axis points up, angular velocity is
//! reported in the sensor frame (what a gyroscope measures), and accelerations are in G.

use std::ops::{Add, AddAssign, Mul, Neg, Sub};

/// Standard gravity: converts m/s² into G.
pub const GRAVITY: f64 = 9.806_65;

/// A 3-vector of f64 (positions in m, angular velocities in rad/s, accelerations).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Vec3 {
    pub x: f64,
    pub y: f64,
    pub z: f64,
}

impl Vec3 {
    pub const ZERO: Vec3 = Vec3::new(0.0, 0.0, 0.0);
    pub const UP: Vec3 = Vec3::new(0.0, 0.0, 1.0);

    pub const fn new(x: f64, y: f64, z: f64) -> Self {
        Self { x, y, z }
    }

    pub fn dot(self, o: Vec3) -> f64 {
        self.x * o.x + self.y * o.y + self.z * o.z
    }

    pub fn cross(self, o: Vec3) -> Vec3 {
        Vec3::new(self.y * o.z - self.z * o.y, self.z * o.x - self.x * o.z, self.x * o.y - self.y * o.x)
    }

    pub fn norm(self) -> f64 {
        self.dot(self).sqrt()
    }

    pub fn scale(self, k: f64) -> Vec3 {
        Vec3::new(self.x * k, self.y * k, self.z * k)
    }

    /// Component-wise product (per-axis scale factors of a sensor).
    pub fn hadamard(self, o: Vec3) -> Vec3 {
        Vec3::new(self.x * o.x, self.y * o.y, self.z * o.z)
    }

    pub fn to_array(self) -> [f64; 3] {
        [self.x, self.y, self.z]
    }
}

impl Add for Vec3 {
    type Output = Vec3;
    fn add(self, o: Vec3) -> Vec3 {
        Vec3::new(self.x + o.x, self.y + o.y, self.z + o.z)
    }
}

impl AddAssign for Vec3 {
    fn add_assign(&mut self, o: Vec3) {
        *self = *self + o;
    }
}

impl Sub for Vec3 {
    type Output = Vec3;
    fn sub(self, o: Vec3) -> Vec3 {
        Vec3::new(self.x - o.x, self.y - o.y, self.z - o.z)
    }
}

impl Neg for Vec3 {
    type Output = Vec3;
    fn neg(self) -> Vec3 {
        Vec3::new(-self.x, -self.y, -self.z)
    }
}

/// A unit quaternion (Hamilton convention) representing a rotation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quat {
    pub w: f64,
    pub x: f64,
    pub y: f64,
    pub z: f64,
}

impl Quat {
    pub const IDENTITY: Quat = Quat { w: 1.0, x: 0.0, y: 0.0, z: 0.0 };

    /// Rotation by `angle` (rad) about a unit `axis`.
    pub fn from_axis_angle(axis: Vec3, angle: f64) -> Quat {
        let (s, c) = (0.5 * angle).sin_cos();
        Quat { w: c, x: axis.x * s, y: axis.y * s, z: axis.z * s }
    }

    pub fn rot_x(angle: f64) -> Quat {
        let (s, c) = (0.5 * angle).sin_cos();
        Quat { w: c, x: s, y: 0.0, z: 0.0 }
    }

    pub fn rot_y(angle: f64) -> Quat {
        let (s, c) = (0.5 * angle).sin_cos();
        Quat { w: c, x: 0.0, y: s, z: 0.0 }
    }

    pub fn rot_z(angle: f64) -> Quat {
        let (s, c) = (0.5 * angle).sin_cos();
        Quat { w: c, x: 0.0, y: 0.0, z: s }
    }

    /// The rotation whose axis and angle are the direction and length of `v` (the exponential
    /// map); used to advance an orientation by `omega * dt`.
    pub fn from_rotation_vector(v: Vec3) -> Quat {
        let angle = v.norm();
        if angle < 1e-12 {
            // Second-order accurate for tiny rotations, and avoids dividing by ~0.
            return Quat { w: 1.0, x: 0.5 * v.x, y: 0.5 * v.y, z: 0.5 * v.z }.normalized();
        }
        Quat::from_axis_angle(v.scale(1.0 / angle), angle)
    }

    /// The inverse of [`Quat::from_rotation_vector`], taking the shorter way round.
    pub fn to_rotation_vector(self) -> Vec3 {
        let q = if self.w < 0.0 { -self } else { self };
        let s = Vec3::new(q.x, q.y, q.z).norm();
        if s < 1e-12 {
            return Vec3::new(2.0 * q.x, 2.0 * q.y, 2.0 * q.z);
        }
        let angle = 2.0 * s.atan2(q.w);
        Vec3::new(q.x, q.y, q.z).scale(angle / s)
    }

    pub fn conj(self) -> Quat {
        Quat { w: self.w, x: -self.x, y: -self.y, z: -self.z }
    }

    pub fn norm(self) -> f64 {
        (self.w * self.w + self.x * self.x + self.y * self.y + self.z * self.z).sqrt()
    }

    pub fn normalized(self) -> Quat {
        let n = self.norm();
        Quat { w: self.w / n, x: self.x / n, y: self.y / n, z: self.z / n }
    }

    pub fn dot(self, o: Quat) -> f64 {
        self.w * o.w + self.x * o.x + self.y * o.y + self.z * o.z
    }

    /// Rotates `v` from this quaternion's source frame into its target frame.
    pub fn rotate(self, v: Vec3) -> Vec3 {
        // v' = v + 2 u x (u x v + w v), with u the vector part: cheaper than two products.
        let u = Vec3::new(self.x, self.y, self.z);
        let t = u.cross(v).scale(2.0);
        v + t.scale(self.w) + u.cross(t)
    }

    /// Rotates `v` the other way (world into sensor for an orientation quaternion).
    pub fn rotate_inverse(self, v: Vec3) -> Vec3 {
        self.conj().rotate(v)
    }

    /// The angle (rad) of the rotation that takes `self` to `o`, ignoring the q/-q sign.
    pub fn angle_to(self, o: Quat) -> f64 {
        2.0 * self.dot(o).abs().min(1.0).acos()
    }

    pub fn to_array(self) -> [f64; 4] {
        [self.w, self.x, self.y, self.z]
    }
}

impl Mul for Quat {
    type Output = Quat;
    fn mul(self, o: Quat) -> Quat {
        Quat {
            w: self.w * o.w - self.x * o.x - self.y * o.y - self.z * o.z,
            x: self.w * o.x + self.x * o.w + self.y * o.z - self.z * o.y,
            y: self.w * o.y - self.x * o.z + self.y * o.w + self.z * o.x,
            z: self.w * o.z + self.x * o.y - self.y * o.x + self.z * o.w,
        }
    }
}

impl Neg for Quat {
    type Output = Quat;
    fn neg(self) -> Quat {
        Quat { w: -self.w, x: -self.x, y: -self.y, z: -self.z }
    }
}

/// The sensor-frame rotation vector that takes orientation `from` to `to` in one step:
/// `to = from * exp(v)`. Divided by the step, it is the angular velocity a gyro reports.
pub fn body_rotation_between(from: Quat, to: Quat) -> Vec3 {
    (from.conj() * to).to_rotation_vector()
}

/// The orientation a sensor tracks by integrating its own angular velocity (quaternion
/// kinematics `q' = q * (0, omega) / 2`, one exact exponential step at a time), renormalised
/// every step so rounding never lets it drift off the unit sphere.
#[derive(Debug, Clone, Copy)]
pub struct OrientationIntegrator {
    q: Quat,
}

impl OrientationIntegrator {
    pub fn new(initial: Quat) -> Self {
        Self { q: initial.normalized() }
    }

    /// Advances by a sensor-frame rotation vector (`omega * dt`).
    pub fn advance(&mut self, rotation: Vec3) {
        self.q = (self.q * Quat::from_rotation_vector(rotation)).normalized();
    }

    pub fn orientation(&self) -> Quat {
        self.q
    }
}

/// What an ideal accelerometer measures, in G and in the sensor frame: the specific force
/// `R^T (a_lin / g + up)`. At rest it is gravity seen from the sensor, of norm 1.
pub fn specific_force(orientation: Quat, linear_acc_world: Vec3) -> Vec3 {
    orientation.rotate_inverse(linear_acc_world.scale(1.0 / GRAVITY) + Vec3::UP)
}

/// Second central difference of three positions `dt` apart: the acceleration at the middle
/// one. Positions come from smooth trajectories, so this is accurate to O(dt²).
pub fn central_acceleration(previous: Vec3, current: Vec3, next: Vec3, dt: f64) -> Vec3 {
    (next - current.scale(2.0) + previous).scale(1.0 / (dt * dt))
}

/// Sensor-frame angular velocity (rad/s) at the middle of three orientations `dt` apart.
///
/// Each step's rotation vector is invariant under its own rotation, so the two half-steps can
/// be averaged in the middle frame directly.
pub fn central_angular_velocity(previous: Quat, current: Quat, next: Quat, dt: f64) -> Vec3 {
    (body_rotation_between(previous, current) + body_rotation_between(current, next)).scale(0.5 / dt)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Vec3, b: Vec3, tol: f64) -> bool {
        (a - b).norm() < tol
    }

    #[test]
    fn rotations_follow_the_right_hand_rule() {
        let x = Vec3::new(1.0, 0.0, 0.0);
        assert!(close(Quat::rot_z(std::f64::consts::FRAC_PI_2).rotate(x), Vec3::new(0.0, 1.0, 0.0), 1e-12));
        let q = Quat::rot_x(0.3) * Quat::rot_y(-1.1) * Quat::rot_z(2.0);
        let v = Vec3::new(0.2, -0.5, 0.9);
        assert!(close(q.rotate_inverse(q.rotate(v)), v, 1e-12));
        assert!((q.rotate(v).norm() - v.norm()).abs() < 1e-12);
    }

    #[test]
    fn rotation_vector_round_trips() {
        for v in [Vec3::new(0.1, -0.2, 0.3), Vec3::new(2.5, 0.1, -0.4), Vec3::new(1e-14, 0.0, 0.0)] {
            let back = Quat::from_rotation_vector(v).to_rotation_vector();
            assert!(close(back, v, 1e-9), "{v:?} -> {back:?}");
        }
    }

    #[test]
    fn integrating_the_step_rotations_reproduces_the_trajectory() {
        // A tumbling orientation sampled at 240 Hz: integrating the body rotations between
        // samples must land on the same orientation and stay unit-norm.
        let at = |t: f64| Quat::rot_z(0.7 * t) * Quat::rot_y(0.4 * (3.0 * t).sin()) * Quat::rot_x(1.3 * t);
        let dt = 1.0 / 240.0;
        let mut integrator = OrientationIntegrator::new(at(0.0));
        for k in 0..2400 {
            integrator.advance(body_rotation_between(at(k as f64 * dt), at((k + 1) as f64 * dt)));
        }
        let q = integrator.orientation();
        assert!((q.norm() - 1.0).abs() < 1e-12);
        assert!(q.angle_to(at(10.0)) < 1e-9);
    }

    #[test]
    fn central_angular_velocity_matches_a_constant_spin() {
        let omega = Vec3::new(0.3, -1.2, 2.0);
        let q0 = Quat::rot_x(0.5) * Quat::rot_z(-0.2);
        let dt = 0.01;
        let step = |k: f64| q0 * Quat::from_rotation_vector(omega.scale(k * dt));
        let got = central_angular_velocity(step(0.0), step(1.0), step(2.0), dt);
        assert!(close(got, omega, 1e-9), "{got:?}");
    }

    #[test]
    fn a_sensor_at_rest_measures_one_g_of_gravity() {
        let q = Quat::rot_x(0.8) * Quat::rot_y(-2.1);
        let f = specific_force(q, Vec3::ZERO);
        assert!((f.norm() - 1.0).abs() < 1e-12);
        // Identity orientation: gravity's reaction points along +z.
        assert!(close(specific_force(Quat::IDENTITY, Vec3::ZERO), Vec3::UP, 1e-12));
        // Free fall measures nothing.
        assert!(specific_force(q, Vec3::new(0.0, 0.0, -GRAVITY)).norm() < 1e-12);
    }
}
