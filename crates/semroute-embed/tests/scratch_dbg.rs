mod common;
use common::*;
#[test]
fn dbg() {
    let r = Reference::load(fixture("tiny-qwen3/reference.json"));
    let text = &r.strings("instructed_texts")[4];
    let t = tokenizers::Tokenizer::from_file(fixture("tiny-qwen3/tokenizer.json")).unwrap();
    let e = t.encode(text.as_str(), true).unwrap();
    eprintln!("untruncated ids {} overflow {} trunc {:?}", e.get_ids().len(), e.get_overflowing().len(), t.get_truncation());
}
