//! The replay as the UI knows it: the session's clock and truth, and the predictions the
//! worker has sent back so far. Everything the panels show is computed here (running scores,
//! agreement, latency percentiles, the CSV export), natively testable.

use crate::data::classes::{ClassId, ClassTable};
use crate::infer::metrics::{Scores, percentile, score};
use crate::infer::prediction::{ModelPrediction, Which, WindowResult};
use crate::infer::seconds::session_seconds;

/// Windows ignored by the latency percentiles: the first calls warm the JIT and the caches.
pub const LATENCY_WARMUP_WINDOWS: usize = 20;

/// The replayed session and the predictions so far.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayState {
    pub classes: ClassTable,
    pub unixtime_ms: Vec<i64>,
    pub labels: Vec<ClassId>,
    pub starts: Vec<usize>,
    pub length: usize,
    pub results: Vec<WindowResult>,
}

impl ReplayState {
    pub fn new(
        classes: ClassTable,
        unixtime_ms: Vec<i64>,
        labels: Vec<ClassId>,
        starts: Vec<usize>,
        length: usize,
    ) -> Self {
        Self { classes, unixtime_ms, labels, starts, length, results: Vec::new() }
    }

    /// Adds results; they arrive in window order.
    pub fn push(&mut self, results: impl IntoIterator<Item = WindowResult>) {
        for result in results {
            debug_assert_eq!(result.window, self.results.len(), "results arrive in order");
            self.results.push(result);
        }
    }

    pub fn is_complete(&self) -> bool {
        self.results.len() == self.starts.len()
    }

    /// Frames the predictions so far speak for: up to the end of the last predicted window,
    /// or the whole session once every window is in (the tail takes the last window, as in
    /// the trainer's evaluation).
    pub fn frames_covered(&self) -> usize {
        match self.results.len() {
            0 => 0,
            _ if self.is_complete() => self.labels.len(),
            n => (self.starts[n - 1] + self.length).min(self.labels.len()),
        }
    }

    fn prediction<'a>(&self, result: &'a WindowResult, which: Which) -> Option<&'a ModelPrediction> {
        match which {
            Which::Student => Some(&result.student),
            Which::Teacher => result.teacher.as_ref(),
        }
    }

    /// The timeline's three rows (truth, student, teacher): the output index per frame, `None`
    /// where nothing is known yet (frames no finished window covers, or no teacher).
    pub fn timeline_rows(&self) -> [Vec<Option<usize>>; 3] {
        let index = |id| self.classes.index_of(id);
        let predicted = |which| {
            let Some(ids) = self.predicted_ids(which) else { return vec![None; self.labels.len()] };
            let starts = &self.starts[..ids.len()];
            let mut row: Vec<Option<usize>> =
                crate::infer::timeline::frame_predictions(self.frames_covered(), starts, self.length, &ids)
                    .into_iter()
                    .map(index)
                    .collect();
            row.resize(self.labels.len(), None);
            row
        };
        [self.labels.iter().map(|&id| index(id)).collect(), predicted(Which::Student), predicted(Which::Teacher)]
    }

    /// Class ids a model predicted for the windows so far (`None` if it did not run).
    pub fn predicted_ids(&self, which: Which) -> Option<Vec<ClassId>> {
        self.results.iter().map(|r| self.prediction(r, which).map(|p| self.classes.classes[p.class].id)).collect()
    }

    /// OpenPack scores (1 Hz, Null excluded) of the replay so far.
    pub fn scores(&self, which: Which) -> Option<Scores> {
        let ids = self.predicted_ids(which)?;
        if ids.is_empty() {
            return None;
        }
        let end = self.frames_covered();
        let seconds = session_seconds(
            &self.unixtime_ms[..end],
            &self.labels[..end],
            &self.starts[..ids.len()],
            self.length,
            &ids,
        );
        Some(score(&self.classes, &seconds.truth, &seconds.predicted))
    }

    /// Share of windows where student and teacher predict the same class.
    pub fn agreement(&self) -> Option<f64> {
        let both: Vec<bool> =
            self.results.iter().filter_map(|r| r.teacher.as_ref().map(|t| t.class == r.student.class)).collect();
        (!both.is_empty()).then(|| both.iter().filter(|same| **same).count() as f64 / both.len() as f64)
    }

    /// p50 and p95 latency after the warm-up windows.
    pub fn latency(&self, which: Which) -> Option<(f64, f64)> {
        let times: Vec<f64> = self
            .results
            .iter()
            .skip(LATENCY_WARMUP_WINDOWS)
            .filter_map(|r| self.prediction(r, which).and_then(|p| p.latency_ms))
            .collect();
        Some((percentile(&times, 50.0)?, percentile(&times, 95.0)?))
    }

    /// The latest window that has ended by `frame`: what the models say "now".
    pub fn current(&self, frame: usize) -> Option<&WindowResult> {
        let ended = self.starts.partition_point(|&s| s + self.length <= frame + 1).min(self.results.len());
        ended.checked_sub(1).and_then(|i| self.results.get(i))
    }

    /// Both models' predictions as CSV: one row per window.
    pub fn to_csv(&self) -> String {
        let name = |index: usize| self.classes.classes[index].name.clone();
        let mut out = String::from(
            "window,start_ms,end_ms,truth,student,student_probability,student_latency_ms,teacher,teacher_probability,teacher_latency_ms\n",
        );
        for r in &self.results {
            let (start, end) = (self.starts[r.window], self.starts[r.window] + self.length - 1);
            let truth = crate::data::window::majority(self.labels[start..=end].iter().copied()).unwrap_or_default();
            let truth = self.classes.classes.iter().find(|c| c.id == truth).map_or(String::new(), |c| c.name.clone());
            let cells = |p: Option<&ModelPrediction>| match p {
                Some(p) => format!(
                    "{},{:.4},{}",
                    csv_text(&name(p.class)),
                    p.probabilities[p.class],
                    p.latency_ms.map_or(String::new(), |ms| format!("{ms:.3}"))
                ),
                None => ",,".to_string(),
            };
            out += &format!(
                "{},{},{},{},{},{}\n",
                r.window,
                self.unixtime_ms[start],
                self.unixtime_ms[end],
                csv_text(&truth),
                cells(Some(&r.student)),
                cells(r.teacher.as_ref())
            );
        }
        out
    }
}

/// Quotes a CSV cell when it needs it.
fn csv_text(text: &str) -> String {
    if text.contains([',', '"', '\n']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prediction(class: usize, latency_ms: f64) -> ModelPrediction {
        let mut probabilities = vec![0.0; 11];
        probabilities[class] = 0.9;
        ModelPrediction { class, probabilities, latency_ms: Some(latency_ms) }
    }

    /// 6 s at 10 frames per second, windows of 20 frames every 10: truth Null for 2 s, then
    /// Picking (id 100, output index 1) for 4 s.
    fn state() -> ReplayState {
        let classes = ClassTable::openpack_operations();
        let time: Vec<i64> = (0..60).map(|i| 1_000_000 + i * 100).collect();
        let labels: Vec<ClassId> = (0..60).map(|i| if i < 20 { 8100 } else { 100 }).collect();
        let starts = vec![0, 10, 20, 30, 40];
        ReplayState::new(classes, time, labels, starts, 20)
    }

    fn result(window: usize, student: usize, teacher: usize) -> WindowResult {
        WindowResult { window, student: prediction(student, 1.0), teacher: Some(prediction(teacher, 10.0)) }
    }

    #[test]
    fn timeline_rows_show_truth_everywhere_and_predictions_where_windows_ended() {
        let mut s = state();
        let [truth, student, teacher] = s.timeline_rows();
        assert_eq!(truth.len(), 60);
        assert_eq!(truth[0], s.classes.index_of(8100));
        assert_eq!(truth[59], s.classes.index_of(100));
        assert!(student.iter().all(Option::is_none) && teacher.iter().all(Option::is_none));
        s.push([result(0, 3, 4), result(1, 3, 4)]);
        let [_, student, teacher] = s.timeline_rows();
        let covered = s.frames_covered();
        assert!(covered > 0 && covered < 60, "{covered}");
        assert!(student[..covered].iter().all(|c| *c == Some(3)), "{student:?}");
        assert!(student[covered..].iter().all(Option::is_none));
        assert!(teacher[..covered].iter().all(|c| *c == Some(4)));
    }

    #[test]
    fn scores_grow_with_the_replay_and_end_as_the_trainer_scores() {
        let mut s = state();
        let picking = s.classes.index_of(100).unwrap();
        let null = s.classes.index_of(8100).unwrap();
        assert!(s.scores(Which::Student).is_none());
        s.push([result(0, null, null), result(1, picking, picking)]);
        assert_eq!(s.frames_covered(), 30);
        let partial = s.scores(Which::Student).unwrap();
        s.push([result(2, picking, null), result(3, picking, picking), result(4, picking, picking)]);
        assert!(s.is_complete());
        assert_eq!(s.frames_covered(), 60);
        let full = s.scores(Which::Student).unwrap();
        // The student is right on every Picking second: F1 for Picking is 1.
        assert_eq!(full.per_class.iter().find(|c| c.id == 100).unwrap().f1, 1.0);
        assert!(full.accuracy >= partial.accuracy);
        // Same seconds as the trainer's session scoring of the whole session.
        let ids = s.predicted_ids(Which::Student).unwrap();
        let seconds = session_seconds(&s.unixtime_ms, &s.labels, &s.starts, s.length, &ids);
        assert_eq!(full, score(&s.classes, &seconds.truth, &seconds.predicted));
        assert_eq!(s.agreement(), Some(0.8));
    }

    #[test]
    fn latency_percentiles_skip_the_warm_up() {
        let mut s = state();
        s.starts = (0..30).map(|i| i % 5 * 10).collect();
        s.push((0..30).map(|i| WindowResult {
            window: i,
            student: prediction(0, if i < LATENCY_WARMUP_WINDOWS { 100.0 } else { 1.0 + (i % 10) as f64 }),
            teacher: None,
        }));
        let (p50, p95) = s.latency(Which::Student).unwrap();
        assert!(p50 < 10.0 && p95 <= 10.0, "{p50} {p95}");
        assert!(s.latency(Which::Teacher).is_none());
        assert!(s.agreement().is_none());
    }

    #[test]
    fn the_current_window_is_the_last_one_ended() {
        let mut s = state();
        s.push([result(0, 0, 0), result(1, 1, 1)]);
        assert!(s.current(5).is_none());
        assert_eq!(s.current(19).unwrap().window, 0);
        assert_eq!(s.current(29).unwrap().window, 1);
        assert_eq!(s.current(59).unwrap().window, 1, "window 2 has not arrived yet");
    }

    #[test]
    fn the_csv_has_a_row_per_window_with_both_models() {
        let mut s = state();
        s.push([result(0, 0, 1)]);
        s.results.push(WindowResult { window: 1, student: prediction(1, 2.0), teacher: None });
        let csv = s.to_csv();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with("window,start_ms,end_ms,truth,student"));
        assert_eq!(lines[1], "0,1000000,1001900,Null,Picking,0.9000,1.000,Relocate Item Label,0.9000,10.000");
        assert!(lines[2].ends_with(",,"), "{}", lines[2]);
    }
}
