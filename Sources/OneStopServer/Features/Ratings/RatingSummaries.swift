import Fluent
import Foundation
import OneStopCore
import Vapor

/// What the staff profile (五亮 亮评议) and the window screen show of ratings, from the day figures
/// (`rating_tallies`) rather than the ratings: a scope's months, and this month so far.
enum RatingSummaries {
    struct Month: Content {
        /// "2026-11"
        var month: String
        var rated: Int
        var satisfaction: Double?
        var average: Double?
    }

    struct Summary: Content {
        var rated: Int
        var bad: Int
        var satisfaction: Double?
        var average: Double?
        /// Oldest first; a month without ratings has `rated` 0 and no rates.
        var months: [Month]
    }

    /// The first day of the month `back` months before `day`'s.
    static func monthStart(_ day: CivilDate, back: Int) -> CivilDate {
        let index = day.year * 12 + (day.month - 1) - back
        return CivilDate(year: index / 12, month: index % 12 + 1, day: 1)!
    }

    /// The last `count` months of a scope (`staff:<id>`, `window:<id>`…), this one included.
    static func months(_ scope: String, through today: CivilDate, count: Int, on db: any Database) async throws -> Summary {
        let from = monthStart(today, back: count - 1)
        let (total, byDay) = try await RatingFigures.sum(scopes: [scope], from: from, to: today, on: db)
        var byMonth: [String: RatingTally] = [:]
        for (day, t) in byDay {
            let m = String(day.prefix(7))
            byMonth[m] = (byMonth[m] ?? RatingTally()) + t
        }
        let months = (0..<count).reversed().map { back -> Month in
            let m = String(monthStart(today, back: back).description.prefix(7))
            let t = byMonth[m] ?? RatingTally()
            return Month(month: m, rated: t.rated, satisfaction: t.satisfaction, average: t.average)
        }
        return Summary(rated: total.rated, bad: total.bad, satisfaction: total.satisfaction, average: total.average, months: months)
    }

    static func scope(staff id: UUID) -> String { "staff:" + id.uuidString.lowercased() }
    static func scope(window id: UUID) -> String { "window:" + id.uuidString.lowercased() }
}
