//! The page's charts, drawn with plotters' SVG backend and inlined in the page: bars stacked by
//! series, horizontal (one bar per SKU or group) or vertical (one per week or count), and
//! lines with a dot per point (one per recorded month).
//!
//! Text stays SVG `<text>` (plotters' SVG backend, no font library): plotters escapes markup
//! in it, and every label goes through [`neutralise`] first so that control and bidirectional
//! override characters from the tenant never reach the page. Each chart gets a `<title>` (its
//! alt text, escaped here). Colours are the Okabe–Ito palette, which readers with any common
//! colour-vision deficiency tell apart. A chart with nothing to draw is `None`; the page shows
//! a short note instead of an empty frame.
//!
//! Amounts and counts become `f64` only here, as chart coordinates: every figure the page
//! prints as text is the model's exact value.

use super::markup::count;
use crate::support::html::{escape, neutralise};
use plotters::coord::Shift;
use plotters::coord::ranged1d::SegmentedCoord;
use plotters::coord::types::{RangedCoordf64, RangedCoordi32};
use plotters::prelude::*;

/// Okabe–Ito colours, by role.
pub mod palette {
    use plotters::style::RGBColor;

    /// Seats in use, licensed use.
    pub const BLUE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
    /// Idle seats, tenant overhead.
    pub const ORANGE: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
    /// Inactive holders, unlicensed use.
    pub const VERMILLION: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
    /// Unused premium licenses.
    pub const PURPLE: RGBColor = RGBColor(0xCC, 0x79, 0xA7);
    /// Redundant licenses: covered by another license the holder has.
    pub const YELLOW: RGBColor = RGBColor(0xF0, 0xE4, 0x42);
    /// Users outside the directory.
    pub const SKY_BLUE: RGBColor = RGBColor(0x56, 0xB4, 0xE9);
    /// Utilisation.
    pub const GREEN: RGBColor = RGBColor(0x00, 0x9E, 0x73);

    /// The colour as CSS writes it (`#0072B2`), for the page's legends.
    pub fn css(colour: RGBColor) -> String {
        format!("#{:02X}{:02X}{:02X}", colour.0, colour.1, colour.2)
    }
}

const WIDTH: u32 = 720;
const FONT: &str = "sans-serif";
/// plotters writes SVG font sizes divided by 1.24: 15 is about 12 px.
const LABEL_SIZE: f64 = 15.0;
const AXIS_GREY: RGBColor = RGBColor(0x59, 0x59, 0x59);
const GRID_GREY: RGBColor = RGBColor(0xE0, 0xE0, 0xE0);
/// Characters of a category label before it is cut with an ellipsis.
const LABEL_CHARS: usize = 30;

#[derive(Debug, thiserror::Error)]
#[error("the chart {chart:?} could not be drawn: {problem}")]
pub struct ChartError {
    pub chart: &'static str,
    pub problem: String,
}

/// A drawn chart: SVG markup with its `<title>`, ready to inline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Svg(String);

impl Svg {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One stacked part of every bar.
#[derive(Debug, Clone, Copy)]
pub struct Series {
    pub name: &'static str,
    pub colour: RGBColor,
}

/// One bar: a label and a value per series (a coordinate, not a figure to print).
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub values: Vec<f64>,
}

/// What the value axis shows.
#[derive(Debug, Clone)]
pub struct Axis {
    /// Its caption, currency included for money.
    pub caption: String,
    pub format: TickFormat,
    /// Draw a reference line at this value (100 % utilisation).
    pub reference: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TickFormat {
    /// Whole numbers with thousands separators.
    Grouped,
    /// `40%`.
    Percent,
}

impl TickFormat {
    fn label(self, value: f64) -> String {
        // A tick position, rounded for its label only.
        let whole = value.round() as i64;
        match self {
            TickFormat::Grouped => count(whole),
            TickFormat::Percent => format!("{whole}%"),
        }
    }
}

/// A category label as drawn: neutralised, and cut when long.
fn label_text(label: &str) -> String {
    let clean = neutralise(label);
    if clean.chars().count() > LABEL_CHARS {
        let mut cut: String = clean.chars().take(LABEL_CHARS - 1).collect();
        cut.push('…');
        cut
    } else {
        clean.into_owned()
    }
}

fn has_data(bars: &[Bar]) -> bool {
    bars.iter()
        .any(|bar| bar.values.iter().any(|value| *value > 0.0))
}

/// The largest stacked total, or 1 so an axis has a range.
fn largest_total(bars: &[Bar], floor: f64) -> f64 {
    bars.iter()
        .map(|bar| bar.values.iter().map(|value| value.max(0.0)).sum::<f64>())
        .fold(floor, f64::max)
        .max(1.0)
}

fn failed<E: std::fmt::Display>(chart: &'static str) -> impl Fn(E) -> ChartError {
    move |error| ChartError {
        chart,
        problem: error.to_string(),
    }
}

/// Bars from top to bottom, each stacked left to right. `None` when every value is 0.
pub fn horizontal_bars(
    id: &'static str,
    alt: &str,
    bars: &[Bar],
    series: &[Series],
    axis: &Axis,
) -> Result<Option<Svg>, ChartError> {
    if !has_data(bars) {
        return Ok(None);
    }
    // An axis of one row has no width, and plotters then draws no label for it: a single bar
    // gets a second, empty row above it.
    let rows = i32::try_from(bars.len().max(2)).map_err(failed(id))?;
    let height = 70 + 26 * u32::try_from(rows).map_err(failed(id))?;
    let x_max = largest_total(bars, axis.reference.unwrap_or(0.0)) * 1.05;
    let mut markup = String::new();
    {
        let root = SVGBackend::with_string(&mut markup, (WIDTH, height)).into_drawing_area();
        // plotters' integer ranges include their end: rows 0 to rows - 1 are the bars.
        let mut chart = ChartBuilder::on(&root)
            .margin_top(10)
            .margin_right(24)
            .x_label_area_size(44)
            .y_label_area_size(210)
            .build_cartesian_2d(0f64..x_max, (0..rows - 1).into_segmented())
            .map_err(failed(id))?;
        let category = |value: &SegmentValue<i32>| match value {
            SegmentValue::CenterOf(row) => usize::try_from(rows - 1 - row)
                .ok()
                .and_then(|index| bars.get(index))
                .map(|bar| label_text(&bar.label))
                .unwrap_or_default(),
            _ => String::new(),
        };
        let tick = |value: &f64| axis.format.label(*value);
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(WHITE.mix(0.0))
            .bold_line_style(GRID_GREY)
            .axis_style(AXIS_GREY)
            .y_labels(bars.len().max(2))
            .y_label_formatter(&category)
            .x_labels(6)
            .x_label_formatter(&tick)
            .x_desc(neutralise(&axis.caption).into_owned())
            .label_style((FONT, LABEL_SIZE).into_font().color(&BLACK))
            .axis_desc_style((FONT, LABEL_SIZE).into_font().color(&BLACK))
            .draw()
            .map_err(failed(id))?;
        for (index, bar) in bars.iter().enumerate() {
            let row = rows - 1 - i32::try_from(index).map_err(failed(id))?;
            let mut start = 0.0;
            let mut parts = Vec::new();
            for (value, part) in bar.values.iter().zip(series) {
                let value = value.max(0.0);
                if value > 0.0 {
                    let mut rectangle = Rectangle::new(
                        [
                            (start, SegmentValue::Exact(row)),
                            (start + value, SegmentValue::Exact(row + 1)),
                        ],
                        part.colour.filled(),
                    );
                    rectangle.set_margin(4, 4, 0, 0);
                    parts.push(rectangle);
                }
                start += value;
            }
            chart.draw_series(parts).map_err(failed(id))?;
        }
        if let Some(reference) = axis.reference {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![
                        (reference, SegmentValue::Exact(0)),
                        (reference, SegmentValue::Last),
                    ],
                    BLACK.stroke_width(1),
                )))
                .map_err(failed(id))?;
        }
        finish(&root).map_err(failed(id))?;
    }
    Ok(Some(titled(id, markup, alt)))
}

/// Bars from left to right, each stacked bottom up. `None` when every value is 0.
pub fn vertical_bars(
    id: &'static str,
    alt: &str,
    x_caption: &str,
    bars: &[Bar],
    series: &[Series],
    axis: &Axis,
) -> Result<Option<Svg>, ChartError> {
    if !has_data(bars) {
        return Ok(None);
    }
    let y_max = largest_total(bars, 0.0) * 1.08;
    let height = 320;
    let mut markup = String::new();
    {
        let root = SVGBackend::with_string(&mut markup, (WIDTH, height)).into_drawing_area();
        let labels: Vec<&str> = bars.iter().map(|bar| bar.label.as_str()).collect();
        let mut chart = column_chart(&root, id, &labels, x_caption, axis, y_max)?;
        // Narrow columns get thinner gaps.
        let gap = if bars.len() > 20 { 1 } else { 4 };
        for (index, bar) in bars.iter().enumerate() {
            let column = i32::try_from(index).map_err(failed(id))?;
            let mut start = 0.0;
            let mut parts = Vec::new();
            for (value, part) in bar.values.iter().zip(series) {
                let value = value.max(0.0);
                if value > 0.0 {
                    let mut rectangle = Rectangle::new(
                        [
                            (SegmentValue::Exact(column), start + value),
                            (SegmentValue::Exact(column + 1), start),
                        ],
                        part.colour.filled(),
                    );
                    rectangle.set_margin(0, 0, gap, gap);
                    parts.push(rectangle);
                }
                start += value;
            }
            chart.draw_series(parts).map_err(failed(id))?;
        }
        finish(&root).map_err(failed(id))?;
    }
    Ok(Some(titled(id, markup, alt)))
}

/// One line of a line chart: a value per point (a coordinate, not a figure to print).
#[derive(Debug, Clone)]
pub struct Line {
    pub series: Series,
    pub values: Vec<f64>,
}

/// Lines over the categories `labels` (months, oldest first), one filled dot per point so a
/// single month still shows. `None` when there is no point or every value is 0.
pub fn lines(
    id: &'static str,
    alt: &str,
    x_caption: &str,
    labels: &[String],
    lines: &[Line],
    axis: &Axis,
) -> Result<Option<Svg>, ChartError> {
    let any = lines
        .iter()
        .any(|line| line.values.iter().any(|value| *value > 0.0));
    if labels.is_empty() || !any {
        return Ok(None);
    }
    let y_max = lines
        .iter()
        .flat_map(|line| line.values.iter().copied())
        .fold(1.0, f64::max)
        * 1.08;
    let height = 320;
    let mut markup = String::new();
    {
        let root = SVGBackend::with_string(&mut markup, (WIDTH, height)).into_drawing_area();
        let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
        let mut chart = column_chart(&root, id, &labels, x_caption, axis, y_max)?;
        for line in lines {
            let points: Vec<(SegmentValue<i32>, f64)> = line
                .values
                .iter()
                .enumerate()
                .filter_map(|(index, value)| {
                    let column = i32::try_from(index).ok()?;
                    Some((SegmentValue::CenterOf(column), value.max(0.0)))
                })
                .collect();
            chart
                .draw_series(std::iter::once(PathElement::new(
                    points.clone(),
                    line.series.colour.stroke_width(2),
                )))
                .map_err(failed(id))?;
            chart
                .draw_series(
                    points
                        .into_iter()
                        .map(|point| Circle::new(point, 4, line.series.colour.filled())),
                )
                .map_err(failed(id))?;
        }
        finish(&root).map_err(failed(id))?;
    }
    Ok(Some(titled(id, markup, alt)))
}

/// A chart with a column per label, left to right, and values up to `y_max` upwards.
type ColumnChart<'a, 'b> =
    ChartContext<'a, SVGBackend<'b>, Cartesian2d<SegmentedCoord<RangedCoordi32>, RangedCoordf64>>;

/// The frame of a column chart (vertical bars, lines over months): its axes, the labels under
/// the columns, the value grid and ticks, and the captions.
fn column_chart<'a, 'b>(
    root: &'a DrawingArea<SVGBackend<'b>, Shift>,
    id: &'static str,
    labels: &[&str],
    x_caption: &str,
    axis: &Axis,
    y_max: f64,
) -> Result<ColumnChart<'a, 'b>, ChartError> {
    let columns = i32::try_from(labels.len()).map_err(failed(id))?;
    let mut chart = ChartBuilder::on(root)
        .margin_top(12)
        .margin_right(24)
        .x_label_area_size(52)
        .y_label_area_size(72)
        .build_cartesian_2d((0..columns - 1).into_segmented(), 0f64..y_max)
        .map_err(failed(id))?;
    let category = |value: &SegmentValue<i32>| match value {
        SegmentValue::CenterOf(column) => usize::try_from(*column)
            .ok()
            .and_then(|index| labels.get(index))
            .map(|label| label_text(label))
            .unwrap_or_default(),
        _ => String::new(),
    };
    let tick = |value: &f64| axis.format.label(*value);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE.mix(0.0))
        .bold_line_style(GRID_GREY)
        .axis_style(AXIS_GREY)
        .x_labels(labels.len())
        .x_label_formatter(&category)
        .x_desc(neutralise(x_caption).into_owned())
        .y_labels(6)
        .y_label_formatter(&tick)
        .y_desc(neutralise(&axis.caption).into_owned())
        .label_style((FONT, LABEL_SIZE).into_font().color(&BLACK))
        .axis_desc_style((FONT, LABEL_SIZE).into_font().color(&BLACK))
        .draw()
        .map_err(failed(id))?;
    Ok(chart)
}

fn finish(
    root: &DrawingArea<SVGBackend<'_>, Shift>,
) -> Result<(), DrawingAreaErrorKind<std::io::Error>> {
    root.present()
}

/// Gives plotters' SVG an id, a role, a `<title>` holding `alt` (escaped), and drops the
/// namespace URL, which inline SVG does not need.
fn titled(id: &str, markup: String, alt: &str) -> Svg {
    let body = markup
        .trim_start()
        .strip_prefix("<svg")
        .unwrap_or(&markup)
        .replacen(r#" xmlns="http://www.w3.org/2000/svg""#, "", 1);
    let (attributes, rest) = body.split_once('>').unwrap_or((&body, ""));
    let title_id = format!("{id}-title");
    Svg(format!(
        "<svg id=\"{}\" class=\"chart\" role=\"img\" aria-labelledby=\"{}\"{attributes}><title id=\"{}\">{}</title>{rest}",
        escape(id),
        escape(&title_id),
        escape(&title_id),
        escape(alt),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn money_axis() -> Axis {
        Axis {
            caption: "USD per month".into(),
            format: TickFormat::Grouped,
            reference: None,
        }
    }

    const ONE: [Series; 1] = [Series {
        name: "cost",
        colour: palette::BLUE,
    }];

    #[test]
    fn a_hostile_label_is_escaped_and_its_controls_replaced() {
        let bars = [Bar {
            label: "<script>alert(1)</script>\u{202E}".into(),
            values: vec![12.0],
        }];
        let svg = horizontal_bars(
            "hostile",
            "Cost of \"<b>\" & co",
            &bars,
            &ONE,
            &money_axis(),
        )
        .expect("drawn")
        .expect("has data");
        let text = svg.as_str();
        assert!(!text.contains("<script"), "{text}");
        assert!(!text.contains('\u{202E}'), "{text}");
        assert!(
            text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{text}"
        );
        assert!(
            text.contains(
                "<title id=\"hostile-title\">Cost of &quot;&lt;b&gt;&quot; &amp; co</title>"
            ),
            "{text}"
        );
        assert!(!text.contains("http"), "no namespace URL: {text}");
        assert!(text.starts_with("<svg id=\"hostile\" class=\"chart\" role=\"img\""));
        assert!(text.contains("<rect"), "a bar: {text}");
    }

    #[test]
    fn nothing_to_draw_is_no_chart() {
        let bars = [Bar {
            label: "SPE_E5".into(),
            values: vec![0.0],
        }];
        assert_eq!(
            horizontal_bars("empty", "x", &bars, &ONE, &money_axis()).expect("no error"),
            None
        );
        assert_eq!(
            vertical_bars("empty", "x", "week", &[], &ONE, &money_axis()).expect("no error"),
            None
        );
    }

    #[test]
    fn a_single_column_keeps_its_label() {
        let bars = [Bar {
            label: "Week 44".into(),
            values: vec![3.0],
        }];
        let svg = vertical_bars("one-bar", "x", "week", &bars, &ONE, &money_axis())
            .expect("drawn")
            .expect("has data");
        assert!(svg.as_str().contains("Week 44"), "{}", svg.as_str());
        let line = Line {
            series: ONE[0],
            values: vec![5.0],
        };
        let svg = lines(
            "one-month",
            "x",
            "month",
            &["Nov '26".to_string()],
            &[line],
            &money_axis(),
        )
        .expect("drawn")
        .expect("has data");
        // plotters escapes the quote itself.
        assert!(svg.as_str().contains("Nov &apos;26"), "{}", svg.as_str());
        assert!(svg.as_str().contains("<circle"), "{}", svg.as_str());
    }

    #[test]
    fn ticks_carry_thousands_separators_or_percent() {
        assert_eq!(TickFormat::Grouped.label(1_234_567.4), "1,234,567");
        assert_eq!(TickFormat::Grouped.label(-1200.0), "-1,200");
        assert_eq!(TickFormat::Percent.label(87.5), "88%");
        assert_eq!(label_text(&"x".repeat(40)).chars().count(), LABEL_CHARS);
    }
}
