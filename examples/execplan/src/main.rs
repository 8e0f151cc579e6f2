fn main() { eprintln!("execplan: not yet implemented"); std::process::exit(2); }
