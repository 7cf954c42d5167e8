import Fluent
import Foundation
import OneStopCore
import SQLKit
import Vapor

/// 好差评公示 — the public monthly disclosure of a center, or of a center with its subtree
/// (issue 19): counts by channel and level, the satisfaction rate, the average score, the top
/// reasons of bad ratings, the call-back and on-time rectification rates, the month before beside
/// it, and the bad ratings rectified that month (no rater is ever named). Read from the day
/// tallies (`RatingFigures`), never from the ratings.
struct RatingDisclosureDTO: Content {
    struct Reason: Content {
        var tag: String
        var label: String
        var count: Int
    }

    struct Rectified: Content {
        var resolvedOn: String
        var department: String
        var window: String
        var reasons: [String]
        var kind: String
        var note: String
    }

    struct Figures: Content {
        var rated: Int
        var notRated: Int
        var satisfied: Int
        var bad: Int
        var excluded: Int
        var levels: [String: Int]
        var channels: [String: Int]
        var satisfaction: Double?
        var average: Double?
        var callBackRate: Double?
        var onTimeRate: Double?
        var due: Int
        var secondRound: Int
        var secondRoundSatisfied: Int

        init(_ t: RatingTally) {
            rated = t.rated
            notRated = t.notRated
            satisfied = t.satisfied
            bad = t.bad
            excluded = t.excluded
            levels = Dictionary(uniqueKeysWithValues: (1...5).map { (String($0), t.levels[$0]) })
            channels = t.channels
            satisfaction = t.satisfaction
            average = t.average
            callBackRate = t.callBackRate
            onTimeRate = t.onTimeRate
            due = t.due
            secondRound = t.secondRound
            secondRoundSatisfied = t.secondRoundSatisfied
        }
    }

    var centerCode: String
    var centerName: String
    var subtree: Bool
    var month: String
    var figures: Figures
    var previousMonth: String
    var previous: Figures
    var topReasons: [Reason]
    /// One page (`page`, 50 a page) of the month's rectified ratings, and whether more follow.
    var rectified: [Rectified]
    var rectifiedMore: Bool
    var page: Int
}

enum RatingDisclosure {
    /// `2026-11` → its first and last day; nil if it is not a month.
    static func month(_ raw: String?, today: CivilDate) -> (String, CivilDate, CivilDate)? {
        let text = raw?.trimmingCharacters(in: .whitespaces) ?? ""
        if text.isEmpty {
            return month(String(today.description.prefix(7)), today: today)
        }
        let parts = text.split(separator: "-")
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, let y = Int(parts[0]), let m = Int(parts[1]),
            (1...12).contains(m),
            (2000...2100).contains(y), let first = CivilDate(year: y, month: m, day: 1)
        else { return nil }
        let next = m == 12 ? CivilDate(year: y + 1, month: 1, day: 1)! : CivilDate(year: y, month: m + 1, day: 1)!
        return (text, first, next.adding(days: -1))
    }

    static func of(center raw: String?, month rawMonth: String?, subtree: Bool, req: Request) async throws -> RatingDisclosureDTO {
        let hall = try await QueueLookup.hall(raw, req: req)
        let today = HallClock.day(req.now)
        guard let (label, first, last) = month(rawMonth, today: today) else {
            throw ValidationFailure([FieldError("month", "rating.month")])
        }
        let centers = subtree ? Array(try await req.application.centerTrees.tree(on: req.db).subtree(hall.centerID)) : [hall.centerID]
        let scopes = centers.map { "center:" + $0.uuidString.lowercased() }
        let (now, _) = try await RatingFigures.sum(scopes: scopes, from: first, to: last, on: req.db)
        let prevLast = first.adding(days: -1)
        let prevFirst = CivilDate(year: prevLast.year, month: prevLast.month, day: 1)!
        let (before, _) = try await RatingFigures.sum(scopes: scopes, from: prevFirst, to: prevLast, on: req.db)
        let page = max(1, min(req.query[Int.self, at: "page"] ?? 1, 10_000))
        let (rectified, more) = try await Self.rectified(centers: centers, from: first, to: last, page: page, req: req)
        return RatingDisclosureDTO(
            centerCode: hall.centerCode, centerName: hall.centerName, subtree: subtree, month: label, figures: .init(now),
            previousMonth: String(prevFirst.description.prefix(7)), previous: .init(before),
            topReasons: now.topReasons().map { .init(tag: $0.tag, label: req.t("rating.tag.\($0.tag)"), count: $0.count) },
            rectified: rectified, rectifiedMore: more, page: page)
    }

    static let perPage = 50

    /// The month's rectified or explained bad ratings (appeals upheld or pending left out), a page
    /// of 50 by the day they were resolved: one indexed query with the rating's reasons and the
    /// window's and department's names, no rater in it; and whether another page follows (one row
    /// more is read: a count would visit every row of the month).
    static func rectified(
        centers: [UUID], from: CivilDate, to: CivilDate, page: Int, req: Request
    ) async throws -> ([RatingDisclosureDTO.Rectified], Bool) {
        guard let sql = req.db as? any SQLDatabase else { return ([], false) }
        let rows = try await sql.raw(
            """
            SELECT b.resolved_on, b.resolution, b.resolution_note, r.tags, w.number AS window_number, d.name AS department_name
            FROM bad_ratings b JOIN ratings r ON r.id = b.id
            LEFT JOIN windows w ON w.id = b.window_id LEFT JOIN departments d ON d.id = b.department_id
            WHERE b.center_id IN \(sql.idList(centers)) AND b.resolved_on >= \(bind: from.description)
            AND b.resolved_on <= \(bind: to.description) AND b.resolution IS NOT NULL
            AND (b.appeal IS NULL OR b.appeal = \(bind: BadRatingCase.Appeal.rejected.rawValue))
            ORDER BY b.resolved_on, b.id LIMIT \(unsafeRaw: String(perPage + 1)) OFFSET \(unsafeRaw: String((page - 1) * perPage))
            """
        ).all()
        let list = try rows.map { r -> RatingDisclosureDTO.Rectified in
            let window = try r.decodeNil(column: "window_number") ? nil : try r.decode(column: "window_number", as: Int.self)
            let kind = try r.decode(column: "resolution", as: String.self)
            return .init(
                resolvedOn: try r.decode(column: "resolved_on", as: String.self),
                department: try r.decode(column: "department_name", as: String?.self) ?? "",
                window: window.map { req.t("window.numbered", "n", String($0)) } ?? "",
                reasons: try r.decode(column: "tags", as: String.self).split(separator: ",").map { req.t("rating.tag.\($0)") },
                kind: req.t("badRating.kind.\(kind)"), note: try r.decode(column: "resolution_note", as: String.self))
        }
        return (Array(list.prefix(perPage)), list.count > perPage)
    }
}
