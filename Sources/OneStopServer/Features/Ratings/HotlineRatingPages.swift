import Foundation
import OneStopCore
import Vapor

/// `/ratings/hotline`: the operator's form for a rating given by phone — what is rated (a case
/// number, or a ticket number and its day), who is calling, and the rating — kept filled in when
/// something is wrong, empty again once it is recorded.
enum HotlineRatingPages {
    struct View: Encodable {
        var levels: [FormView.Option]
        var reasonTags: [FormView.Option]
        var praiseTags: [FormView.Option]
        var caseNumber: String
        var ticketNumber: String
        var day: String
        var callerName: String
        var callerPhone: String
        var text: String
        var errors: [String]
    }

    /// The form posts what the API takes.
    typealias Form = HotlineRating.Input

    static func register(_ app: any RoutesBuilder) {
        app.endpoint(.GET, "ratings", "hotline", access: .only(.hotlineOperator)) { req in
            try await page(req, Form(), errors: [])
        }
        app.endpoint(.POST, "ratings", "hotline", access: .only(.hotlineOperator)) { req -> Response in
            let f = try req.content.decode(Form.self)
            do {
                let r = try await HotlineRating.record(f, req: req)
                let subject = (f.caseNumber ?? "").isEmpty ? (f.ticketNumber ?? "").uppercased() : f.caseNumber ?? ""
                req.flash(
                    req.t(
                        (r.level ?? 5) <= 2 ? "hotlineRating.savedBad" : "hotlineRating.saved",
                        ["subject": subject, "level": req.t("rating.level.\(r.level ?? 0)")]))
                return req.redirect(to: "/ratings/hotline")
            } catch let v as ValidationFailure {
                return try await page(
                    req, f, errors: v.errors.map { req.application.catalog.fieldMessage($0, req.language) }, status: .unprocessableEntity)
            }
        }
    }

    static func page(_ req: Request, _ f: Form, errors: [String], status: HTTPResponseStatus = .ok) async throws -> Response {
        let tags = Set(f.tags ?? [])
        let view = View(
            levels: (1...5).reversed().map {
                .init(value: String($0), label: req.t("rating.level.\($0)"), selected: f.level == $0)
            },
            reasonTags: RatingTag.allCases.map {
                .init(value: $0.rawValue, label: req.t("rating.tag.\($0.rawValue)"), selected: tags.contains($0.rawValue))
            },
            praiseTags: PraiseTag.allCases.map {
                .init(value: $0.rawValue, label: req.t("rating.praise.\($0.rawValue)"), selected: tags.contains($0.rawValue))
            },
            caseNumber: f.caseNumber ?? "", ticketNumber: f.ticketNumber ?? "", day: f.day ?? HallClock.day(req.now).description,
            callerName: f.callerName ?? "", callerPhone: f.callerPhone ?? "", text: f.text ?? "", errors: errors)
        return try await req.page("ratings/hotline", title: req.t("hotlineRating.title"), view, status: status)
    }
}
