//! Choosing who takes part in an apply-then-select session: as many
//! applicants as there are places, meeting the session's recruitment
//! targets (at least 3 people under 30, at least 2 from each area, at most
//! half in one language…) as closely as possible, ties broken at random
//! from a recorded seed. The same applicants, targets, places and seed
//! always give the same choice, so anyone can run it again and check it.
//!
//! How: the applicants (in the order of their sign-ups) are shuffled with
//! SplitMix64 from the seed (Fisher–Yates); then, place by place, the
//! first applicant in that order who most reduces the shortfall is taken;
//! then single swaps of a chosen and a waiting applicant are made while
//! one lowers the shortfall. The shortfall is, over every target, how far
//! its count falls below its minimum plus how far it rises above its
//! maximum.

use serde::{Deserialize, Serialize};

/// One recruitment target: people of `category` (`age:under_30`,
/// `area:riverside`, `language:ur`…) between `min` and `max` among the
/// chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub category: String,
    pub min: Option<u32>,
    pub max: Option<u32>,
}

impl Target {
    /// How far `count` lies outside this target.
    fn miss(&self, count: u32) -> u32 {
        let below = self.min.map_or(0, |min| min.saturating_sub(count));
        let above = self.max.map_or(0, |max| count.saturating_sub(max));
        below + above
    }
}

/// An applicant: their sign-up and the categories they belong to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applicant {
    pub id: i64,
    pub categories: Vec<String>,
}

impl Applicant {
    fn is(&self, category: &str) -> bool {
        self.categories.iter().any(|own| own == category)
    }
}

/// A target beside how many of a group meet it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Balance {
    pub target: Target,
    pub count: u32,
    pub met: bool,
}

/// How `people` stand against `targets` (for the organiser, before and
/// after a selection).
pub fn balance(people: &[&Applicant], targets: &[Target]) -> Vec<Balance> {
    targets
        .iter()
        .map(|target| {
            let count = count(people, &target.category);
            Balance {
                target: target.clone(),
                count,
                met: target.miss(count) == 0,
            }
        })
        .collect()
}

fn count(people: &[&Applicant], category: &str) -> u32 {
    u32::try_from(people.iter().filter(|person| person.is(category)).count()).unwrap_or(u32::MAX)
}

/// The total shortfall of `people` against `targets`.
pub fn shortfall(people: &[&Applicant], targets: &[Target]) -> u32 {
    targets
        .iter()
        .map(|target| target.miss(count(people, &target.category)))
        .sum()
}

/// The applicants chosen for `places` places (all of them when fewer
/// apply), in the order they were chosen. `applicants` must come in a
/// fixed order (their sign-ups' order): with it, the result depends on
/// the seed alone.
pub fn select(applicants: &[Applicant], targets: &[Target], places: usize, seed: u64) -> Vec<i64> {
    let mut order: Vec<&Applicant> = applicants.iter().collect();
    let mut random = SplitMix64(seed);
    for i in (1..order.len()).rev() {
        let j = usize::try_from(random.next() % (i as u64 + 1)).unwrap_or(0);
        order.swap(i, j);
    }
    let mut chosen: Vec<&Applicant> = Vec::new();
    let mut waiting = order;
    while chosen.len() < places && !waiting.is_empty() {
        let mut best = 0;
        let mut best_shortfall = u32::MAX;
        for (index, candidate) in waiting.iter().enumerate() {
            chosen.push(candidate);
            let with = shortfall(&chosen, targets);
            chosen.pop();
            if with < best_shortfall {
                best = index;
                best_shortfall = with;
            }
        }
        chosen.push(waiting.remove(best));
    }
    // Swaps that lower the shortfall, first found first, until none does.
    let mut current = shortfall(&chosen, targets);
    'improving: while current > 0 {
        for in_index in 0..chosen.len() {
            for outside in waiting.iter_mut() {
                std::mem::swap(&mut chosen[in_index], outside);
                let swapped = shortfall(&chosen, targets);
                if swapped < current {
                    current = swapped;
                    continue 'improving;
                }
                std::mem::swap(&mut chosen[in_index], outside);
            }
        }
        break;
    }
    chosen.iter().map(|applicant| applicant.id).collect()
}

/// SplitMix64 (Steele, Lea and Flood, 2014): a small generator whose
/// every output follows from the seed, the same on every machine.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::{Applicant, SplitMix64, Target, balance, select, shortfall};

    fn applicant(id: i64, categories: &[&str]) -> Applicant {
        Applicant {
            id,
            categories: categories.iter().map(|c| (*c).to_owned()).collect(),
        }
    }

    fn at_least(category: &str, min: u32) -> Target {
        Target {
            category: category.to_owned(),
            min: Some(min),
            max: None,
        }
    }

    fn at_most(category: &str, max: u32) -> Target {
        Target {
            category: category.to_owned(),
            min: None,
            max: Some(max),
        }
    }

    /// 40 applicants: most over 30, in Riverside, speaking English; a few
    /// of everyone else.
    fn applicants() -> Vec<Applicant> {
        (0..40)
            .map(|n| {
                let age = if n % 8 == 0 {
                    "age:under_30"
                } else {
                    "age:30_plus"
                };
                let area = match n % 10 {
                    3 => "area:northfield",
                    7 => "area:old_town",
                    _ => "area:riverside",
                };
                let language = if n % 5 == 0 {
                    "language:ur"
                } else {
                    "language:en"
                };
                applicant(n, &[age, area, language])
            })
            .collect()
    }

    fn targets() -> Vec<Target> {
        vec![
            at_least("age:under_30", 3),
            at_least("area:northfield", 2),
            at_least("area:old_town", 2),
            at_least("area:riverside", 2),
            at_most("language:en", 6),
        ]
    }

    #[test]
    fn the_seed_alone_decides_and_the_targets_are_met() {
        let people = applicants();
        let first = select(&people, &targets(), 10, 42);
        assert_eq!(first, select(&people, &targets(), 10, 42), "reproducible");
        assert_ne!(
            first,
            select(&people, &targets(), 10, 43),
            "another seed, another draw"
        );
        assert_eq!(first.len(), 10);
        let chosen: Vec<&Applicant> = people.iter().filter(|a| first.contains(&a.id)).collect();
        assert_eq!(
            shortfall(&chosen, &targets()),
            0,
            "{:?}",
            balance(&chosen, &targets())
        );
        // Nobody twice.
        let mut unique = first.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), 10);
    }

    #[test]
    fn targets_that_cannot_all_be_met_are_met_as_closely_as_possible() {
        // Only one applicant under 30: the selection takes them and misses
        // that target by two, no more.
        let people: Vec<Applicant> = (0..12)
            .map(|n| {
                applicant(
                    n,
                    &[if n == 5 {
                        "age:under_30"
                    } else {
                        "age:30_plus"
                    }],
                )
            })
            .collect();
        let targets = vec![at_least("age:under_30", 3), at_most("age:30_plus", 4)];
        let chosen_ids = select(&people, &targets, 6, 7);
        assert!(chosen_ids.contains(&5));
        let chosen: Vec<&Applicant> = people
            .iter()
            .filter(|a| chosen_ids.contains(&a.id))
            .collect();
        assert_eq!(shortfall(&chosen, &targets), 2 + 1);
    }

    #[test]
    fn fewer_applicants_than_places_are_all_taken() {
        let people = applicants();
        let chosen = select(&people[..4], &targets(), 10, 1);
        assert_eq!(chosen.len(), 4);
    }

    #[test]
    fn the_generator_gives_its_published_sequence() {
        // The first outputs of SplitMix64 seeded with 0 (the reference
        // implementation's).
        let mut random = SplitMix64(0);
        assert_eq!(random.next(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(random.next(), 0x6E78_9E6A_A1B9_65F4);
    }
}
