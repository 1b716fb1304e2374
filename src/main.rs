fn main() {
    println!("gazetteer");
}
