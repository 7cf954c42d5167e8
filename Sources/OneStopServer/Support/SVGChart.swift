import Foundation
import OneStopCore

/// Charts drawn on the server as inline SVG: no script, printable, readable without colour (every
/// mark carries its figure in a `<title>`), scaling with the page. Styles come from `app.css`
/// (`.chart`), so 长辈模式 and print apply.
enum SVGChart {
    struct Mark: Sendable {
        /// The axis label ("09", "A 综合受理", "09-21").
        var label: String
        var value: Double
        /// What a reader hears or sees on hover: the label with its figures.
        var caption: String
    }

    static let width = 520.0
    static let height = 260.0
    static let left = 48.0
    static let right = 12.0
    static let top = 28.0
    static let bottom = 36.0

    /// Vertical bars, one per mark.
    static func columns(id: String, title: String, summary: String, marks: [Mark], unit: String) -> String {
        let scale = axisMax(marks.map(\.value))
        var out = open(id: id, title: title, summary: summary, height: height)
        out += grid(scale: scale, unit: unit)
        let plotW = width - left - right
        let plotH = height - top - bottom
        let slot = plotW / Double(max(marks.count, 1))
        let every = labelStep(marks.count, room: plotW, perLabel: 30)
        for (i, m) in marks.enumerated() {
            let h = scale > 0 ? plotH * m.value / scale : 0
            let x = left + Double(i) * slot + slot * 0.15
            out += "<g class=\"mark\"><title>\(esc(m.caption))</title>"
            out += "<rect class=\"bar\" x=\"\(f(x))\" y=\"\(f(top + plotH - h))\" width=\"\(f(slot * 0.7))\" height=\"\(f(h))\"/>"
            if i % every == 0 {
                out += "<text class=\"axis\" x=\"\(f(x + slot * 0.35))\" y=\"\(f(height - bottom + 16))\" text-anchor=\"middle\">"
                out += "\(esc(m.label))</text>"
            }
            out += "</g>"
        }
        return out + "</svg>"
    }

    /// Horizontal bars with their labels on the left, for named categories (groups).
    static func bars(id: String, title: String, summary: String, marks: [Mark]) -> String {
        let rowH = 32.0
        let labelW = 176.0
        let h = 8 + Double(max(marks.count, 1)) * rowH + 8
        let scale = axisMax(marks.map(\.value))
        var out = open(id: id, title: title, summary: summary, height: h)
        let plotW = width - labelW - right - 48
        for (i, m) in marks.enumerated() {
            let y = 8 + Double(i) * rowH
            let w = scale > 0 ? plotW * m.value / scale : 0
            out += "<g class=\"mark\"><title>\(esc(m.caption))</title>"
            out +=
                "<text class=\"axis\" x=\"\(f(labelW - 8))\" y=\"\(f(y + rowH * 0.62))\" text-anchor=\"end\">\(esc(clip(m.label, 11)))</text>"
            out += "<rect class=\"bar\" x=\"\(f(labelW))\" y=\"\(f(y + 4))\" width=\"\(f(w))\" height=\"\(f(rowH - 8))\"/>"
            out += "<text class=\"value\" x=\"\(f(labelW + w + 6))\" y=\"\(f(y + rowH * 0.62))\">\(esc(number(m.value)))</text></g>"
        }
        return out + "</svg>"
    }

    /// A line over evenly spaced points (days), with a dot per point while there is room for one.
    static func line(id: String, title: String, summary: String, marks: [Mark], unit: String) -> String {
        let scale = axisMax(marks.map(\.value))
        var out = open(id: id, title: title, summary: summary, height: height)
        out += grid(scale: scale, unit: unit)
        let plotW = width - left - right
        let plotH = height - top - bottom
        let step = marks.count > 1 ? plotW / Double(marks.count - 1) : 0
        func point(_ i: Int) -> (Double, Double) {
            let v = marks[i].value
            return (left + (marks.count > 1 ? Double(i) * step : plotW / 2), top + plotH - (scale > 0 ? plotH * v / scale : 0))
        }
        let path = marks.indices.map { i -> String in
            let (x, y) = point(i)
            return "\(f(x)),\(f(y))"
        }
        out += "<polyline class=\"line\" points=\"\(path.joined(separator: " "))\"/>"
        let every = labelStep(marks.count, room: plotW, perLabel: 56)
        for (i, m) in marks.enumerated() {
            let (x, y) = point(i)
            let r = marks.count <= 62 ? 3.5 : 1.5
            out += "<g class=\"mark\"><title>\(esc(m.caption))</title><circle class=\"dot\" cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"\(f(r))\"/>"
            if i % every == 0 {
                out += "<text class=\"axis\" x=\"\(f(x))\" y=\"\(f(height - bottom + 16))\" text-anchor=\"middle\">\(esc(m.label))</text>"
            }
            out += "</g>"
        }
        return out + "</svg>"
    }

    static func open(id: String, title: String, summary: String, height h: Double) -> String {
        "<svg class=\"chart\" viewBox=\"0 0 \(f(width)) \(f(h))\" role=\"img\" aria-labelledby=\"\(id)-t \(id)-d\" "
            + "preserveAspectRatio=\"xMidYMid meet\" xmlns=\"http://www.w3.org/2000/svg\">"
            + "<title id=\"\(id)-t\">\(esc(title))</title><desc id=\"\(id)-d\">\(esc(summary))</desc>"
    }

    /// Four grid lines with their values, and the unit above the axis.
    static func grid(scale: Double, unit: String) -> String {
        let plotH = height - top - bottom
        var out = "<text class=\"axis unit\" x=\"4\" y=\"14\">\(esc(unit))</text>"
        for i in 0...4 {
            let v = scale * Double(i) / 4
            let y = top + plotH - plotH * Double(i) / 4
            out += "<line class=\"gridline\" x1=\"\(f(left))\" x2=\"\(f(width - right))\" y1=\"\(f(y))\" y2=\"\(f(y))\"/>"
            if i > 0 || scale == 0 {
                out += "<text class=\"axis\" x=\"\(f(left - 6))\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(esc(number(v)))</text>"
            }
        }
        return out
    }

    /// The top of the axis: the largest value rounded up to 1, 2, 4, 6 or 8 times a power of
    /// ten, so that each of the four grid lines falls on a round figure.
    static func axisMax(_ values: [Double]) -> Double {
        guard let m = values.max(), m > 0 else { return 0 }
        let p = pow(10, floor(log10(m)))
        for k in [1.0, 2, 4, 6, 8, 10] where k * p >= m { return k * p }
        return 10 * p
    }

    /// Every how many marks a label fits.
    static func labelStep(_ count: Int, room: Double, perLabel: Double) -> Int {
        max(1, Int((Double(count) * perLabel / room).rounded(.up)))
    }

    static func number(_ v: Double) -> String {
        v == v.rounded() ? String(Int(v)) : String(format: "%.1f", v)
    }

    static func clip(_ s: String, _ n: Int) -> String { s.count > n ? String(s.prefix(n - 1)) + "…" : s }

    static func f(_ v: Double) -> String { String(format: "%.1f", v) }

    static func esc(_ s: String) -> String { QRCode.escapeXML(s) }
}
