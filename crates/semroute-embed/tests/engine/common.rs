//! Shared helpers of the integration tests: fixture paths, reference files, comparisons.

use std::path::PathBuf;

use serde_json::Value;

/// `tests/fixtures/<name>`.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The repository's `models/<name>` (fetched by scripts/fetch-model.sh), if present.
pub fn real_model(name: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../models")
        .join(name);
    dir.join("model.safetensors").is_file().then_some(dir)
}

/// The repository's `models/<name>` for a model that is always installed (scripts/setup.sh, which
/// the test command runs first, fetches it): panics naming the fetch script when it is absent,
/// so a missing model fails the test instead of silently skipping it.
pub fn require_model(name: &str) -> PathBuf {
    real_model(name).unwrap_or_else(|| {
        panic!("models/{name} is absent: run scripts/fetch-model.sh (scripts/setup.sh does)")
    })
}

/// A parsed reference.json (texts, token ids, expected embeddings, ...).
pub struct Reference(pub Value);

impl Reference {
    pub fn load(path: PathBuf) -> Self {
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        Reference(serde_json::from_str(&text).expect("reference is JSON"))
    }

    pub fn strings(&self, key: &str) -> Vec<String> {
        self.0[key]
            .as_array()
            .unwrap_or_else(|| panic!("reference has no `{key}`"))
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    }

    pub fn ids(&self, key: &str) -> Vec<Vec<u32>> {
        self.matrix(key)
            .into_iter()
            .map(|r| r.into_iter().map(|v| v as u32).collect())
            .collect()
    }

    pub fn matrix(&self, key: &str) -> Vec<Vec<f32>> {
        matrix(&self.0[key])
    }

    pub fn usizes(&self, key: &str) -> Vec<usize> {
        self.0[key]
            .as_array()
            .map(|a| a.iter().map(|v| v.as_u64().unwrap() as usize).collect())
            .unwrap_or_default()
    }
}

/// A JSON array of arrays of numbers as f32 rows.
pub fn matrix(v: &Value) -> Vec<Vec<f32>> {
    v.as_array()
        .expect("an array of rows")
        .iter()
        .map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap() as f32)
                .collect()
        })
        .collect()
}

/// Largest absolute difference between two equal-length vectors.
pub fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len(), "lengths differ");
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

/// Cosine similarity.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na: f32 = a.iter().map(|x| x * x).sum::<f32>().sqrt();
    let nb: f32 = b.iter().map(|x| x * x).sum::<f32>().sqrt();
    dot / (na * nb)
}

/// Asserts every row of `data` (row-major, `dim` wide) is within `tol` of `expected`.
pub fn assert_rows_close(data: &[f32], dim: usize, expected: &[Vec<f32>], tol: f32, what: &str) {
    assert_eq!(data.len(), expected.len() * dim, "{what}: row count");
    for (i, (row, want)) in data.chunks_exact(dim).zip(expected).enumerate() {
        let d = max_abs_diff(row, want);
        assert!(d <= tol, "{what}: row {i} differs by {d} (> {tol})");
    }
}

/// Asserts that each text embedded inside one batch (of texts of different lengths) equals the
/// same text embedded alone, within 1e-4.
pub fn assert_batch_equals_single(embedder: &semroute_embed::Embedder, texts: &[String]) {
    let batched = embedder.embed(texts).unwrap();
    let dim = batched.dim;
    for (i, text) in texts.iter().enumerate() {
        let single = embedder.embed(std::slice::from_ref(text)).unwrap();
        let d = max_abs_diff(&batched.data[i * dim..(i + 1) * dim], &single.data);
        assert!(
            d <= 1e-4,
            "text {i} differs by {d} between batch and single"
        );
    }
}

/// Copies fixture `name` into a temp dir with `edit` applied to its config.json.
pub fn fixture_with_config(name: &str, edit: impl Fn(&mut Value)) -> tempfile::TempDir {
    let src = fixture(name);
    let tmp = tempfile::tempdir().unwrap();
    for file in [
        "model.safetensors",
        "tokenizer.json",
        "modules.json",
        "sentence_bert_config.json",
    ] {
        std::fs::copy(src.join(file), tmp.path().join(file)).unwrap();
    }
    std::fs::create_dir(tmp.path().join("1_Pooling")).unwrap();
    std::fs::copy(
        src.join("1_Pooling/config.json"),
        tmp.path().join("1_Pooling/config.json"),
    )
    .unwrap();
    let mut config: Value =
        serde_json::from_str(&std::fs::read_to_string(src.join("config.json")).unwrap()).unwrap();
    edit(&mut config);
    std::fs::write(tmp.path().join("config.json"), config.to_string()).unwrap();
    tmp
}
