import Foundation
import OneStopCore
import Vapor

/// `/ratings/flags`: the ratings the fraud rules flagged, each with the rule that raised it in
/// words, and for a supervisor the review form on the same line.
enum RatingFlagPages {
    struct Row: Encodable {
        var id: String
        var ratingID: String
        var signalLabel: String
        var explanation: String
        var at: String
        var level: String
        var channel: String
        var verdict: String
        var reviewNote: String
        var reviewedBy: String
        var canReview: Bool
    }

    struct View: Encodable {
        var rows: [Row]
        var reviewed: [FormView.Option]
        var errors: [String]
    }

    static func register(_ app: any RoutesBuilder) {
        app.endpoint(.GET, "ratings", "flags", access: RatingFlags.viewers) { req in try await page(req, errors: []) }
        app.endpoint(.GET, "ratings", "figures", access: BadRatingService.viewers) { req in try await figures(req) }
        app.endpoint(.POST, "ratings", "flags", ":id", "review", access: .only(.supervisor)) { req -> Response in
            struct Form: Content {
                var verdict: String?
                var note: String?
            }
            let f = try req.content.decode(Form.self)
            do {
                _ = try await RatingFlags.review(try req.uuid("id"), .init(verdict: f.verdict, note: f.note), req: req)
                req.flash(req.t("ratingFlag.saved"))
            } catch let v as ValidationFailure {
                return try await page(
                    req, errors: v.errors.map { req.application.catalog.fieldMessage($0, req.language) }, status: .unprocessableEntity)
            } catch let a as any AbortError where a.status == .conflict {
                return try await page(req, errors: [a.reason], status: .conflict)
            }
            return req.redirect(to: "/ratings/flags")
        }
    }

    struct FiguresView: Encodable {
        struct Line: Encodable {
            var name: String
            var rated: Int
            var bad: Int
            var satisfaction: String
            var average: String
            var callBack: String
            var onTime: String
            var low: Bool
        }
        var d: RatingBreakdown.DTO
        var lines: [Line]
        var by: [FormView.Option]
        var error: String
    }

    /// `/ratings/figures`: the managers' month by department, window, staff or item.
    static func figures(_ req: Request) async throws -> Response {
        var error = ""
        let d: RatingBreakdown.DTO
        do {
            d = try await RatingBreakdown.of(req)
        } catch let v as ValidationFailure {
            error = v.errors.map { req.application.catalog.fieldMessage($0, req.language) }.joined(separator: " ")
            d = .init(
                month: String(HallClock.day(req.now).description.prefix(7)), by: "department", rows: [], callBacksDue: 0, resolutionsDue: 0,
                appealsPending: 0, overdue: 0)
        }
        let view = FiguresView(
            d: d,
            lines: d.rows.map {
                .init(
                    name: $0.name, rated: $0.rated, bad: $0.bad, satisfaction: RatingPages.percent($0.satisfaction),
                    average: $0.average.map { String(format: "%.2f", $0) } ?? "—", callBack: RatingPages.percent($0.callBackRate),
                    onTime: RatingPages.percent($0.onTimeRate), low: ($0.satisfaction ?? 1) < 0.9)
            },
            by: RatingBreakdown.By.allCases.map {
                .init(value: $0.rawValue, label: req.t("ratingFigures.by.\($0.rawValue)"), selected: $0.rawValue == d.by)
            },
            error: error)
        return try await req.page(
            "ratings/figures", title: req.t("ratingFigures.title"), view, status: error.isEmpty ? .ok : .unprocessableEntity)
    }

    static func page(_ req: Request, errors: [String], status: HTTPResponseStatus = .ok) async throws -> Response {
        let p = try req.requirePrincipal()
        let filter = req.query[String.self, at: "reviewed"] ?? "no"
        let flags = try await RatingFlags.list(req)
        let view = View(
            rows: flags.map { f in
                Row(
                    id: f.id.uuidString, ratingID: f.ratingID.uuidString, signalLabel: req.t("ratingFlag.signal.\(f.signal)"),
                    explanation: f.explanation, at: HallClock.minuteText(f.at),
                    level: f.level.map { "\($0) ★ " + req.t("rating.level.\($0)") } ?? "—",
                    channel: req.t("rating.channel.\(f.channel)"), verdict: f.verdict.map { req.t("ratingFlag.verdict.\($0)") } ?? "",
                    reviewNote: f.reviewNote, reviewedBy: f.reviewedBy, canReview: p.role == .supervisor && f.verdict == nil)
            },
            reviewed: ["no", "yes", "all"].map { .init(value: $0, label: req.t("ratingFlag.reviewed.\($0)"), selected: $0 == filter) },
            errors: errors)
        return try await req.page("ratings/flags", title: req.t("ratingFlag.title"), view, status: status)
    }
}
