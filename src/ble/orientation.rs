//! Orientation from acc + gyro, for wearables that do not send one. OpenPack's ATR sensors
//! report an orientation quaternion computed on the device, and the teacher takes it as input;
//! the wearables here send raw motion only, so the live stream estimates it with Madgwick's
//! gradient-descent filter (IMU form: gyro integration corrected towards the measured gravity).
//!
//! Convention, as in the training data: the quaternion `(w, x, y, z)` maps sensor coordinates
//! to world coordinates, the world's z axis points up. Without a magnetometer the heading is
//! relative: it starts at 0 for each device on its own and drifts slowly. The training data's
//! random room headings taught the teacher to ignore one heading shared by all sensors, not
//! independent ones per device; that gap is stated in docs/live-and-recording.md.
//!
//! Hand-written rather than taken from a crate: the maintained AHRS crates bring a linear
//! algebra library into the browser bundle for these forty lines of arithmetic.

/// How strongly the measured gravity corrects the integrated gyro (rad/s). Madgwick's
/// suggested value for MEMS gyros; larger follows the accelerometer faster, and its noise too.
pub const DEFAULT_BETA: f32 = 0.1;
/// A pause in samples longer than this is not integrated across: the filter re-levels from the
/// accelerometer instead.
const MAX_STEP_S: f32 = 0.2;

/// A running orientation estimate.
#[derive(Debug, Clone, PartialEq)]
pub struct Madgwick {
    q: [f32; 4],
    beta: f32,
    last_ms: Option<f64>,
}

impl Madgwick {
    pub fn new(beta: f32) -> Self {
        Madgwick { q: [1.0, 0.0, 0.0, 0.0], beta, last_ms: None }
    }

    /// The orientation after a sample taken at `t_ms`: acc in g, gyro in deg/s (sensor axes).
    pub fn update(&mut self, t_ms: f64, acc: [f32; 3], gyro_dps: [f32; 3]) -> [f32; 4] {
        let step = self.last_ms.map(|last| ((t_ms - last) / 1000.0) as f32);
        self.last_ms = Some(t_ms);
        if !gyro_dps.iter().all(|g| g.is_finite()) {
            // A sample without a rotation rate (an unpaired accelerometer sample): keep the
            // estimate rather than integrate garbage.
            return self.q;
        }
        match step {
            Some(dt) if dt > 0.0 && dt <= MAX_STEP_S => self.step(dt, acc, gyro_dps),
            Some(dt) if dt <= 0.0 => {}
            _ => self.level(acc),
        }
        self.q
    }

    /// Starts from the tilt the accelerometer shows, heading 0: the shortest rotation taking
    /// the sensor's measured "up" onto the world's z axis.
    fn level(&mut self, acc: [f32; 3]) {
        let Some([ax, ay, az]) = unit(acc) else { return };
        // Rotation from a = (ax, ay, az) to z: axis a x z = (ay, -ax, 0), angle acos(az).
        let w = 1.0 + az;
        if w < 1e-6 {
            self.q = [0.0, 1.0, 0.0, 0.0];
            return;
        }
        self.q = normalised([w, ay, -ax, 0.0]).unwrap_or([1.0, 0.0, 0.0, 0.0]);
    }

    fn step(&mut self, dt: f32, acc: [f32; 3], gyro_dps: [f32; 3]) {
        let [q0, q1, q2, q3] = self.q;
        let [gx, gy, gz] = gyro_dps.map(f32::to_radians);
        // Rate of change of the quaternion from the gyro alone.
        let mut dq = [
            0.5 * (-q1 * gx - q2 * gy - q3 * gz),
            0.5 * (q0 * gx + q2 * gz - q3 * gy),
            0.5 * (q0 * gy - q1 * gz + q3 * gx),
            0.5 * (q0 * gz + q1 * gy - q2 * gx),
        ];
        if let Some([ax, ay, az]) = unit(acc) {
            // Gradient of the error between the gravity the orientation predicts in the sensor
            // frame and the one measured.
            let f =
                [2.0 * (q1 * q3 - q0 * q2) - ax, 2.0 * (q0 * q1 + q2 * q3) - ay, 2.0 * (0.5 - q1 * q1 - q2 * q2) - az];
            let gradient = [
                -2.0 * q2 * f[0] + 2.0 * q1 * f[1],
                2.0 * q3 * f[0] + 2.0 * q0 * f[1] - 4.0 * q1 * f[2],
                -2.0 * q0 * f[0] + 2.0 * q3 * f[1] - 4.0 * q2 * f[2],
                2.0 * q1 * f[0] + 2.0 * q2 * f[1],
            ];
            if let Some(gradient) = normalised(gradient) {
                for (d, g) in dq.iter_mut().zip(gradient) {
                    *d -= self.beta * g;
                }
            }
        }
        let q = [q0 + dq[0] * dt, q1 + dq[1] * dt, q2 + dq[2] * dt, q3 + dq[3] * dt];
        self.q = normalised(q).unwrap_or([1.0, 0.0, 0.0, 0.0]);
    }
}

fn unit(v: [f32; 3]) -> Option<[f32; 3]> {
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    (n.is_finite() && n > 1e-6).then(|| v.map(|x| x / n))
}

fn normalised(q: [f32; 4]) -> Option<[f32; 4]> {
    let n = q.iter().map(|x| x * x).sum::<f32>().sqrt();
    (n.is_finite() && n > 1e-9).then(|| q.map(|x| x / n))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `v` rotated by `q` (sensor to world).
    fn rotate(q: [f32; 4], v: [f32; 3]) -> [f32; 3] {
        let [w, x, y, z] = q;
        let [vx, vy, vz] = v;
        // v + 2w(u x v) + 2u x (u x v), u = (x, y, z)
        let c = [y * vz - z * vy, z * vx - x * vz, x * vy - y * vx];
        let cc = [y * c[2] - z * c[1], z * c[0] - x * c[2], x * c[1] - y * c[0]];
        [vx + 2.0 * (w * c[0] + cc[0]), vy + 2.0 * (w * c[1] + cc[1]), vz + 2.0 * (w * c[2] + cc[2])]
    }

    fn close(a: [f32; 3], b: [f32; 3], tol: f32) -> bool {
        a.iter().zip(b).all(|(x, y)| (x - y).abs() < tol)
    }

    #[test]
    fn a_sensor_lying_still_stays_level() {
        let mut f = Madgwick::new(DEFAULT_BETA);
        let mut q = [0.0; 4];
        for i in 0..200 {
            q = f.update(i as f64 * 20.0, [0.0, 0.0, 1.0], [0.0, 0.0, 0.0]);
        }
        assert!(close([q[1], q[2], q[3]], [0.0, 0.0, 0.0], 1e-3), "{q:?}");
    }

    #[test]
    fn the_first_sample_levels_the_sensor_so_its_measured_up_points_up() {
        let mut f = Madgwick::new(DEFAULT_BETA);
        let tilted = [0.6, 0.0, 0.8];
        let q = f.update(0.0, tilted, [0.0; 3]);
        assert!(close(rotate(q, tilted), [0.0, 0.0, 1.0], 1e-4), "{:?}", rotate(q, tilted));
        let upside_down = Madgwick::new(DEFAULT_BETA).update(0.0, [0.0, 0.0, -1.0], [0.0; 3]);
        assert!(close(rotate(upside_down, [0.0, 0.0, -1.0]), [0.0, 0.0, 1.0], 1e-4));
    }

    #[test]
    fn turning_about_the_vertical_at_90_degrees_per_second_for_a_second_is_a_quarter_turn() {
        let mut f = Madgwick::new(DEFAULT_BETA);
        let mut q = [0.0; 4];
        for i in 0..=100 {
            q = f.update(i as f64 * 10.0, [0.0, 0.0, 1.0], [0.0, 0.0, 90.0]);
        }
        let x_axis = rotate(q, [1.0, 0.0, 0.0]);
        assert!(close(x_axis, [0.0, 1.0, 0.0], 0.02), "sensor x now points along world y: {x_axis:?}");
    }

    #[test]
    fn a_slowly_tilting_sensor_is_followed_and_gravity_corrects_a_biased_gyro() {
        // The sensor rests tilted 30 degrees about x while its gyro reads a 2 deg/s bias.
        let tilt = 30f32.to_radians();
        let up_in_sensor = [0.0, tilt.sin(), tilt.cos()];
        let mut f = Madgwick::new(DEFAULT_BETA);
        let mut q = [0.0; 4];
        for i in 0..3000 {
            q = f.update(i as f64 * 20.0, up_in_sensor, [2.0, 0.0, 0.0]);
        }
        assert!(close(rotate(q, up_in_sensor), [0.0, 0.0, 1.0], 0.02), "{:?}", rotate(q, up_in_sensor));
    }

    #[test]
    fn a_long_pause_relevels_instead_of_integrating_across_it_and_nan_never_comes_out() {
        let mut f = Madgwick::new(DEFAULT_BETA);
        f.update(0.0, [0.0, 0.0, 1.0], [0.0; 3]);
        let q = f.update(5000.0, [1.0, 0.0, 0.0], [500.0, 0.0, 0.0]);
        assert!(close(rotate(q, [1.0, 0.0, 0.0]), [0.0, 0.0, 1.0], 1e-4));
        let before = f.update(5020.0, [1.0, 0.0, 0.0], [0.0; 3]);
        let q = f.update(5040.0, [0.0, 0.0, 0.0], [f32::NAN, 0.0, 0.0]);
        assert_eq!(q, before, "no rotation rate: the estimate is kept");
        let q = f.update(5060.0, [0.0, 0.0, 0.0], [1.0, 0.0, 0.0]);
        assert!(q.iter().all(|v| v.is_finite()), "no gravity measured: gyro alone");
    }
}
