//! Replays every corpus and crash file through its target under stable `cargo test`:
//! `fuzz/corpus/<target>/*` (seeds and what fuzzing kept) and `fuzz/artifacts/<target>/*`
//! (findings, kept after the fix as regression tests).

use std::path::Path;

#[test]
fn every_corpus_and_artifact_file_replays() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for (name, target) in fuzz_cases::TARGETS {
        let mut files = 0;
        for dir in ["corpus", "artifacts"] {
            let Ok(entries) = std::fs::read_dir(fuzz.join(dir).join(name)) else { continue };
            for entry in entries {
                let path = entry.expect("directory entry").path();
                let data = std::fs::read(&path).expect("read a corpus file");
                target(&data);
                files += 1;
            }
        }
        assert!(files > 0, "no corpus for target {name}: run fuzz/seed.sh");
        eprintln!("{name}: {files} files replayed");
    }
}
