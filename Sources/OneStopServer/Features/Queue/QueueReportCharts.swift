import OneStopCore
import Vapor

/// The report page's charts: waits by hour, tickets by group and, over more than a day, the
/// day-by-day trend; each drawn as SVG with its figures in a table beside it.
enum QueueReportCharts {
    struct Chart: Encodable {
        var id: String
        var title: String
        var svg: String
        var head: [String]
        var rows: [[String]]
    }

    static func charts(_ r: QueueReportDTO, req: Request) -> [Chart] {
        var out: [Chart] = []
        func wait(_ m: Double?) -> String { m.map { String(format: "%.1f", $0) } ?? "—" }
        let minutes = req.t("queue.chart.minutes")
        if !r.byHour.isEmpty {
            let title = req.t("queue.chart.hourTitle")
            let marks = r.byHour.map { b in
                SVGChart.Mark(
                    label: b.key, value: b.meanWaitMinutes ?? 0,
                    caption: req.t("queue.chart.hourCaption", ["hour": b.key, "n": String(b.tickets), "wait": wait(b.meanWaitMinutes)]))
            }
            let peak = r.byHour.max { ($0.meanWaitMinutes ?? 0) < ($1.meanWaitMinutes ?? 0) }
            let busiest = r.byHour.max { $0.tickets < $1.tickets }
            let summary = req.t(
                "queue.chart.hourSummary",
                [
                    "hour": peak?.key ?? "—", "wait": wait(peak?.meanWaitMinutes), "busy": busiest?.key ?? "—",
                    "n": String(busiest?.tickets ?? 0),
                ])
            out.append(
                Chart(
                    id: "chart-hour", title: title,
                    svg: SVGChart.columns(id: "chart-hour", title: title, summary: summary, marks: marks, unit: minutes),
                    head: [req.t("queue.chart.hour"), req.t("queue.report.tickets"), req.t("queue.report.meanWait")],
                    rows: r.byHour.map { [req.t("queue.chart.hourLabel", "hour", $0.key), String($0.tickets), wait($0.meanWaitMinutes)] }))
        }
        if !r.byGroup.isEmpty {
            let title = req.t("queue.chart.groupTitle")
            let marks = r.byGroup.map { b in
                SVGChart.Mark(
                    label: b.label, value: Double(b.tickets),
                    caption: req.t("queue.chart.groupCaption", ["group": b.label, "n": String(b.tickets), "wait": wait(b.meanWaitMinutes)]))
            }
            let total = r.byGroup.reduce(0) { $0 + $1.tickets }
            let summary = req.t("queue.chart.groupSummary", ["n": String(total), "groups": String(r.byGroup.count)])
            out.append(
                Chart(
                    id: "chart-group", title: title, svg: SVGChart.bars(id: "chart-group", title: title, summary: summary, marks: marks),
                    head: [req.t("queue.report.by.group"), req.t("queue.report.tickets"), req.t("queue.report.meanWait")],
                    rows: r.byGroup.map { [$0.label, String($0.tickets), wait($0.meanWaitMinutes)] }))
        }
        if r.byDay.count > 1 {
            let title = req.t("queue.chart.dayTitle")
            let marks = r.byDay.map { b in
                SVGChart.Mark(
                    label: String(b.key.dropFirst(5)), value: Double(b.tickets),
                    caption: req.t("queue.chart.dayCaption", ["day": b.key, "n": String(b.tickets), "wait": wait(b.meanWaitMinutes)]))
            }
            let total = r.byDay.reduce(0) { $0 + $1.tickets }
            let open = r.byDay.filter { $0.tickets > 0 }.count
            let summary = req.t(
                "queue.chart.daySummary",
                [
                    "days": String(r.byDay.count), "open": String(open),
                    "mean": open == 0 ? "0" : String(format: "%.1f", Double(total) / Double(open)),
                ])
            out.append(
                Chart(
                    id: "chart-day", title: title,
                    svg: SVGChart.line(id: "chart-day", title: title, summary: summary, marks: marks, unit: req.t("queue.chart.tickets")),
                    head: [req.t("queue.chart.day"), req.t("queue.report.tickets"), req.t("queue.report.meanWait")],
                    rows: r.byDay.map { [$0.key, String($0.tickets), wait($0.meanWaitMinutes)] }))
        }
        return out
    }
}
