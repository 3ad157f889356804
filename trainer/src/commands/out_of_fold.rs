//! Out-of-fold teacher targets for `distill`'s `logit-oof` and `sc-logit-oof`: [`FOLDS`]
//! teachers, each trained with the run's recipe (stage 1, then stage 2) on the training windows
//! outside one stretch of time, label that stretch ([`crate::training::folds`]).

use anyhow::{Result, ensure};
use tsak::model::{Teacher, TeacherConfig};

use super::train_semantic::{FrozenTeacher, fit_semantic};
use super::train_teacher::TeacherRecipe;
use super::{Stage, Windows};
use crate::artifacts::run_dir::{Stored, TeacherMeta};
use crate::training::features::{add_semantic, teacher_features};
use crate::training::folds::{OutOfFoldLogits, contiguous_folds};

/// Fold teachers per run. Each learns on about three quarters of the training windows: more
/// folds would bring each closer to the run's teacher and cost one more teacher each.
pub const FOLDS: usize = 4;

/// The fold teachers' logits on every training window of `windows` (the run teacher's inputs),
/// trained the first time and kept in the run folder for later students.
pub fn out_of_fold_logits(
    stage: &Stage,
    teacher: &Stored<TeacherConfig, Teacher, TeacherMeta>,
    windows: &Windows,
) -> Result<OutOfFoldLogits> {
    if let Some(stored) = stage.dir.out_of_fold()? {
        ensure!(
            stored.windows() == windows.train.len(),
            "{} describes {} training windows, this run has {}: retrain the teacher",
            stage.dir.out_of_fold_path().display(),
            stored.windows(),
            windows.train.len()
        );
        eprintln!("out-of-fold teachers: already trained in this run");
        return Ok(stored);
    }
    let device = stage.device()?;
    let folds = contiguous_folds(&windows.train.origin, windows.train.length, FOLDS)?;
    let mut logits = OutOfFoldLogits::new(windows.train.len(), stage.data.classes.len());
    for (k, fold) in folds.iter().enumerate() {
        let n = k + 1;
        let (train, held_out) = (windows.train.subset(&fold.train), windows.train.subset(&fold.held_out));
        eprintln!(
            "out-of-fold teacher {n}/{FOLDS}: learns on {} training windows, labels the {} it does not see",
            train.len(),
            held_out.len()
        );
        let recipe = TeacherRecipe {
            label: &format!("teacher-fold{n}"),
            epochs: None,
            seed: n as u64,
            rotate_degrees: teacher.meta.rotate_degrees,
        };
        let fold_teacher =
            recipe.train(stage, teacher.config.clone(), (&train, &windows.val), teacher.meta.stats.clone())?;
        let frozen =
            FrozenTeacher { model: &fold_teacher.model, config: &fold_teacher.config, stats: &fold_teacher.stats };
        let semantic = fit_semantic(stage, &format!("semantic-fold{n}"), None, &frozen, (&train, &windows.val))?;
        let mut said = teacher_features(&fold_teacher.model, &held_out, &device);
        add_semantic(&mut said, &semantic.model, &device);
        logits.fill(fold, (&said.combined_logits, &said.semantic_logits), &held_out.targets);
        let note = logits.folds.last().expect("just filled");
        eprintln!(
            "out-of-fold teacher {n}/{FOLDS}: right on {:.1}% of the windows it did not see (combined head), {:.1}% (semantic classifier)",
            100.0 * note.combined_accuracy,
            100.0 * note.semantic_accuracy
        );
    }
    stage.dir.save_out_of_fold(&logits)?;
    Ok(logits)
}
