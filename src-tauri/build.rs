fn main() {
    // Capabilities live beside the Rust sources; tauri-build only reads `<root>/capabilities`
    // by default and silently grants nothing when they are elsewhere.
    tauri_build::try_build(
        tauri_build::Attributes::new().capabilities_path_pattern("./src-tauri/capabilities/**/*"),
    )
    .expect("failed to run tauri-build");
}
