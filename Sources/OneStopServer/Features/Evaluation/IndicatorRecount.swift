import Fluent
import Foundation
import OneStopCore
import Vapor

/// `onestop indicators recount [--from DAY] [--to DAY] [--center CODE]`: counts the indicator
/// figures of every (center, day) in a range again from the records, and their months. Reports
/// never need it — the audit log keeps the figures current — but a definition that changed in an
/// upgrade (a new counter), records loaded outside OneStop (a migration from an older system, a
/// benchmark's) or a restored backup of the records without the figures do.
struct IndicatorsCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "action", help: "recount")
        var action: String
        @Option(name: "from", help: "The first day (YYYY-MM-DD); default: the first case's day of reception")
        var from: String?
        @Option(name: "to", help: "The last day (YYYY-MM-DD); default: today")
        var to: String?
        @Option(name: "center", help: "A center's code: it and its subtree; default: every center")
        var center: String?
    }

    var help: String {
        "Counts the indicator figures again from the records: `indicators recount [--from 2024-01-01] [--to 2026-12-31] [--center CODE]`."
    }

    func run(using context: CommandContext, signature s: Signature) async throws {
        guard s.action == "recount" else { throw CommandFailure(description: "unknown action \"\(s.action)\"; use: indicators recount") }
        let app = context.application
        let now = app.clock.now()
        let tree = try await CenterTree.load(on: app.db)
        var centers = Set(try await CenterModel.query(on: app.db).all().compactMap(\.id))
        if let code = s.center {
            guard let c = try await CenterModel.query(on: app.db).filter(\.$code == code).first() else {
                throw CommandFailure(description: "no center with code \(code)")
            }
            centers = tree.subtree(try c.requireID())
        }
        var first = HallClock.day(now)
        if let text = s.from {
            guard let d = CivilDate(text) else { throw CommandFailure(description: "--from: not a date: \(text)") }
            first = d
        } else if let earliest = try await CaseModel.query(on: app.db).sort(\.$receivedOn).first()?.receivedOn,
            let d = CivilDate(earliest)
        {
            first = d
        }
        var last = HallClock.day(now)
        if let text = s.to {
            guard let d = CivilDate(text) else { throw CommandFailure(description: "--to: not a date: \(text)") }
            last = d
        }
        guard first <= last else { throw CommandFailure(description: "--from is after --to") }
        // The log first, so that what it still holds is not counted again over the recount.
        try await IndicatorStore.catchUp(app: app, now: now)
        let started = Date()
        let ordered = centers.sorted { $0.uuidString < $1.uuidString }
        var day = first
        var days = 0
        while day <= last {
            // One month (or what is left of it) per write, so that the writer is never held long.
            let month = String(day.description.prefix(7))
            var chunk: [CivilDate] = []
            while day <= last, day.description.hasPrefix(month) {
                chunk.append(day)
                day = day.adding(days: 1)
            }
            let batch = chunk
            try await app.groupCommit.run(actor: "system:cli", now: now) { db -> ((), [AuditEvent]) in
                for d in batch { for c in ordered { try await IndicatorStore.recount(center: c, day: d, on: db) } }
                for c in ordered { try await IndicatorStore.rollUp(center: c, month: month, on: db) }
                return ((), [])
            }
            days += batch.count
            context.console.print("\(month): \(batch.count) days × \(ordered.count) centers counted")
        }
        let seconds = Date().timeIntervalSince(started)
        let range = (first.description, last.description)
        try await app.groupCommit.run(actor: "system:cli", now: now) { _ -> ((), [AuditEvent]) in
            (
                (),
                [
                    AuditEvent(
                        "indicator.recount", "indicator", id: nil, center: nil,
                        detail: ["from": range.0, "to": range.1, "centers": String(ordered.count)])
                ]
            )
        }
        context.console.print(
            "Recounted \(days) days of \(ordered.count) centers in \(String(format: "%.1f", seconds)) s.")
    }
}
