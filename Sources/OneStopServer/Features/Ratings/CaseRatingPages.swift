import Fluent
import Foundation
import OneStopCore
import Vapor

/// 一事一评 on the applicant's case page: the form to rate a decided or delivered case, how it was
/// rated and what the department did about a bad rating, and the form to rate again after it.
enum CaseRatingPages {
    struct View: Encodable {
        var canRate = false
        var rated = ""
        var resolutionText = ""
        var rateAgainID = ""
        var levels: [FormView.Option] = []
        var reasonTags: [FormView.Option] = []
        var praiseTags: [FormView.Option] = []
        var errors: [String] = []
        /// Where the forms post: the case page's, or the rating link's.
        var action = ""
        var againAction = ""
    }

    /// The rating part of the applicant's own case page.
    static func view(_ c: CaseModel, req: Request) async throws -> View {
        var v = View()
        v.action = "/cases/\(try c.requireID())/rating"
        v.againAction = "/cases/\(try c.requireID())/rating-again"
        guard let state = CaseState(rawValue: c.state), CaseRating.ratable(state) else { return v }
        func form() {
            v.levels = (1...5).reversed().map { .init(value: String($0), label: req.t("rating.level.\($0)"), selected: false) }
            v.reasonTags = RatingTag.allCases.map { .init(value: $0.rawValue, label: req.t("rating.tag.\($0.rawValue)"), selected: false) }
            v.praiseTags = PraiseTag.allCases.map {
                .init(value: $0.rawValue, label: req.t("rating.praise.\($0.rawValue)"), selected: false)
            }
        }
        guard let r = try await CaseRating.existing(try c.requireID(), on: req.db) else {
            v.canRate = true
            form()
            return v
        }
        v.rated = req.t("case.rate.given", "level", req.t("rating.level.\(r.level ?? 0)"))
        if let b = try await BadRatingModel.find(r.id, on: req.db), let kind = b.resolution {
            v.resolutionText = req.t("badRating.kind.\(kind)") + "：" + b.resolutionNote
            if b.flow.refusal(.rateAgain) == nil {
                v.rateAgainID = try r.requireID().uuidString
                form()
            }
        }
        return v
    }

    /// `POST /cases/{id}/rating` and `/rating-again`, from the page's forms.
    static func post(_ action: String, _ id: UUID, req: Request) async throws -> Response {
        do {
            if action == "rating-again" {
                guard let first = try await CaseRating.existing(id, on: req.db) else { throw Abort(.notFound) }
                _ = try await RateAgain.rate(first.requireID(), try req.content.decode(RateAgain.Input.self), req: req)
            } else {
                _ = try await CaseRating.rate(id, try req.content.decode(CaseRating.Input.self), req: req)
            }
            req.flash(req.t("case.rate.thanks"))
            return req.redirect(to: "/cases/\(id)")
        } catch let a as any AbortError where a.status == .conflict {
            return try await CasePages.show(req, id: id, errors: [a.reason], message: nil, status: .conflict)
        } catch {
            guard let shown = CasePages.messages(error, req) else { throw error }
            return try await CasePages.show(req, id: id, errors: shown, message: nil, status: .unprocessableEntity)
        }
    }
}
