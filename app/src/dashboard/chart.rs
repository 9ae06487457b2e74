//! A line chart drawn on the server as SVG, with its data as a table
//! beside it: the chart is for the eye, the table for screen readers and
//! for anyone who wants the numbers.

use super::Series;
use leptos::prelude::*;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 28.0;

/// The points of one series in the chart's coordinates.
pub fn polyline(points: &[i64], max: i64) -> String {
    let steps = points.len().saturating_sub(1).max(1) as f64;
    let max = max.max(1) as f64;
    points
        .iter()
        .enumerate()
        .map(|(index, count)| {
            let x = LEFT + (WIDTH - LEFT - RIGHT) * index as f64 / steps;
            let y = TOP + (HEIGHT - TOP - BOTTOM) * (1.0 - *count as f64 / max);
            format!("{x:.1},{y:.1}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[component]
pub fn LineChart(
    /// What the chart shows, for its accessible name and the table caption.
    title: String,
    periods: Vec<String>,
    series: Vec<Series>,
) -> impl IntoView {
    let max = series
        .iter()
        .flat_map(|series| series.points.iter().copied())
        .max()
        .unwrap_or(0);
    let first = periods.first().cloned().unwrap_or_default();
    let last = periods.last().cloned().unwrap_or_default();
    let lines = series
        .iter()
        .enumerate()
        .map(|(index, series)| {
            view! {
                <polyline class=format!("line line-{index}") fill="none" points=polyline(&series.points, max) />
            }
        })
        .collect_view();
    let legend = series
        .iter()
        .enumerate()
        .map(|(index, series)| {
            view! {
                <li><span class=format!("swatch line-{index}") aria-hidden="true"></span> <span lang=series.lang.clone()>{series.label.clone()}</span></li>
            }
        })
        .collect_view();
    let header = periods
        .iter()
        .map(|period| view! { <th scope="col">{period.clone()}</th> })
        .collect_view();
    let rows = series
        .into_iter()
        .map(|series| {
            view! {
                <tr>
                    <th scope="row" lang=series.lang>{series.label}</th>
                    {series.points.into_iter().map(|count| view! { <td>{count}</td> }).collect_view()}
                </tr>
            }
        })
        .collect_view();
    let baseline = HEIGHT - BOTTOM;
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=title.clone() preserveAspectRatio="xMidYMid meet">
                <line class="axis" x1=LEFT y1=baseline x2=WIDTH - RIGHT y2=baseline />
                <line class="axis" x1=LEFT y1=TOP x2=LEFT y2=baseline />
                <text class="tick" x=LEFT - 6.0 y=TOP + 4.0 text-anchor="end">{max}</text>
                <text class="tick" x=LEFT - 6.0 y=baseline text-anchor="end">"0"</text>
                <text class="tick" x=LEFT y=HEIGHT - 8.0>{first}</text>
                <text class="tick" x=WIDTH - RIGHT y=HEIGHT - 8.0 text-anchor="end">{last}</text>
                {lines}
            </svg>
            <ul class="legend">{legend}</ul>
            <div class="table-scroll">
                <table class="data">
                    <caption>{title}</caption>
                    <thead><tr><td></td>{header}</tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_highest_point_touches_the_top_and_zero_the_baseline() {
        let line = polyline(&[0, 5, 10], 10);
        assert_eq!(line, "44.0,192.0 336.0,102.0 628.0,12.0");
    }
}
