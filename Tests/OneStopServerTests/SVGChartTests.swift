import Foundation
import Testing

@testable import OneStopServer

@Suite("Server-drawn charts")
struct SVGChartTests {
    @Test("the axis tops out at 1, 2, 4, 6 or 8 times a power of ten; empty data draws a zero axis")
    func axis() {
        #expect(SVGChart.axisMax([3, 7]) == 8 && SVGChart.axisMax([9]) == 10)
        #expect(SVGChart.axisMax([12]) == 20 && SVGChart.axisMax([21]) == 40 && SVGChart.axisMax([45]) == 60)
        #expect(SVGChart.axisMax([100]) == 100 && SVGChart.axisMax([]) == 0 && SVGChart.axisMax([0]) == 0)
    }

    @Test("bars are as tall as their share of the axis, each carries its caption, and text is escaped")
    func columns() {
        let svg = SVGChart.columns(
            id: "c", title: "等候 <分钟>", summary: "s & t",
            marks: [.init(label: "09", value: 5, caption: "9 时"), .init(label: "10", value: 10, caption: "10 时")], unit: "分钟")
        #expect(svg.hasPrefix("<svg class=\"chart\"") && svg.hasSuffix("</svg>"))
        #expect(svg.contains("<title id=\"c-t\">等候 &lt;分钟&gt;</title>") && svg.contains("<desc id=\"c-d\">s &amp; t</desc>"))
        // The plot is 260 − 28 − 36 = 196 high; 5 of an axis of 10 is 98.
        #expect(svg.contains("height=\"98.0\"") && svg.contains("height=\"196.0\""))
        #expect(svg.contains("<title>9 时</title>") && svg.contains("<title>10 时</title>"))
    }

    @Test("a line has one point per mark and labels are thinned to fit")
    func line() {
        let marks = (0..<60).map { SVGChart.Mark(label: "d\($0)", value: Double($0), caption: "c\($0)") }
        let svg = SVGChart.line(id: "l", title: "t", summary: "s", marks: marks, unit: "张")
        #expect(svg.components(separatedBy: "<circle").count == 61)
        let labels = svg.components(separatedBy: "class=\"axis\" x=").count - 1
        #expect(labels < 60 && labels > 5)
    }
}
