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
