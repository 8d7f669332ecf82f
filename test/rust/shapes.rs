// Rust shapes for test/rust-gen.test.ts: slices, &str, Option, a panic path, Vec, a trait object.
pub fn sum_slice(xs: &[i32]) -> i32 {
    let mut s = 0i32;
    for x in xs {
        s = s.wrapping_add(*x);
    }
    s
}

pub fn count_spaces(s: &str) -> usize {
    s.bytes().filter(|b| *b == b' ').count()
}

pub fn pick(x: Option<u32>) -> u32 {
    match x {
        Some(v) if v > 100 => v - 100,
        Some(v) => v + 1,
        None => 7,
    }
}

pub fn at(xs: &[u8], i: usize) -> u8 {
    xs[i]
}

pub fn checked_mul(a: u32, b: u32) -> u32 {
    if a > 1000 {
        panic!("a too big: {}", a);
    }
    a.wrapping_mul(b)
}

pub fn squares(n: u8) -> Vec<u32> {
    let mut v = Vec::new();
    for i in 0..(n % 8) {
        v.push(u32::from(i) * u32::from(i));
    }
    v
}

pub trait Area {
    fn area(&self) -> u64;
}

pub fn area_plus_one(s: &dyn Area) -> u64 {
    s.area().wrapping_add(1)
}
