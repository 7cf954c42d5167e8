import Fluent
import Foundation
import OneStopCore
import Vapor

/// The pages of the 十星级 rating (issue 21): `/star-ratings` for the center and the campaign
/// office (open, follow, review, confirm), and the public `/stars/…`: the board, each subject's
/// survey (reached by the QR code at the window) and, once confirmed, how their stars were made.
enum StarRatingPages {
    typealias S = StarRatingService
    static let pageAccess = Access.only(.centerAdmin, .chiefRepresentative, .supervisor, .campaignOffice)
    /// The scoring page: the leaders' review, and an outside evaluator's scorecard.
    static let reviewAccess = Access.roles(Role.outsideEvaluators.union([.centerAdmin, .chiefRepresentative, .campaignOffice]))

    struct Row: Encodable {
        var name: String
        var kind: String
        var votes: String
        var survey: String
        var reviewed: String
        var leader: String
        /// The outside evaluators' mean and how many scored.
        var outside: String
        var combined: String
        var stars: String
        var starCount: Int
        var comment: String
        var surveyPath: String
        var reviewHref: String
    }

    struct RatingLine: Encodable {
        var id: String
        var period: String
        var state: String
        var open: Bool
        var criteria: String
        var scale: String
    }

    struct ListView: Encodable {
        var centerOptions: [FormView.Option]
        var center: String
        var ratings: [RatingLine]
        var periodOptions: [FormView.Option]
        var criteria: String
        var canOpen: Bool
        var errors: [String]
    }

    struct DetailView: Encodable {
        var rating: RatingLine
        var rows: [Row]
        var canConfirm: Bool
        var unrated: Int
        var boardPath: String
    }

    static func line(_ r: StarRatingModel, req: Request) -> RatingLine {
        let s = r.scaleValue
        let total = s.publicWeight + s.leaderWeight + s.outsideWeight
        return RatingLine(
            id: r.id!.uuidString.lowercased(), period: EvaluationPeriod(key: r.period)?.label ?? r.period,
            state: req.t("star.state.\(r.state)"), open: r.state == "open", criteria: r.criteriaValue.joined(separator: "、"),
            scale: req.t(
                s.outsideWeight > 0 ? "star.scaleLineOutside" : "star.scaleLine",
                [
                    "public": ScoringRule.number(s.publicWeight * 100 / total),
                    "leader": ScoringRule.number(s.leaderWeight * 100 / total),
                    "outside": ScoringRule.number(s.outsideWeight * 100 / total),
                    "rating": ScoringRule.number(s.ratingWeight * 100),
                ]))
    }

    static func starText(_ n: Int?) -> String {
        n.map { String(repeating: "★", count: $0) + String(repeating: "☆", count: 10 - $0) } ?? ""
    }

    static func number(_ d: Double?) -> String { d.map(ScoringRule.number) ?? "—" }

    static func register(pages app: any RoutesBuilder) {
        app.endpoint(.GET, "star-ratings", access: pageAccess) { req in try await list(req, errors: []) }
        app.endpoint(.POST, "star-ratings", access: S.openers) { req -> Response in
            struct F: Content {
                var center: String?
                var period: String?
                var criteria: String?
                var publicWeight: String?
                var outsideWeight: String?
                var ratingWeight: String?
                var organisations: String?
            }
            let f = try req.content.decode(F.self)
            do {
                var v = Validator()
                let pw = Double(f.publicWeight ?? "50")
                if pw == nil || !(0...100).contains(pw!) { v.add("scale", "star.weights") }
                let ow = Double(f.outsideWeight ?? "0")
                if ow == nil || !(0...100).contains(ow!) || (pw ?? 0) + ow! > 100 { v.add("scale", "star.weights") }
                let rw = Double(f.ratingWeight ?? "0")
                if rw == nil || !(0...100).contains(rw!) { v.add("scale", "star.ratingWeight") }
                guard v.isValid, let pw, let ow, let rw else { throw ValidationFailure(v.errors) }
                let criteria = (f.criteria ?? "").split(whereSeparator: { "、,，\n".contains($0) }).map {
                    $0.trimmingCharacters(in: .whitespacesAndNewlines)
                }.filter { !$0.isEmpty }
                let leader: Double = 1 - pw / 100 - ow / 100
                var input = S.OpenInput(
                    center: f.center, period: f.period, criteria: criteria.isEmpty ? nil : criteria, publicWeight: pw / 100,
                    leaderWeight: leader, ratingWeight: rw / 100)
                input.outsideWeight = ow / 100
                input.organisations = f.organisations == "on"
                let r = try await S.open(input, req: req)
                req.flash(req.t("star.opened", ["period": EvaluationPeriod(key: r.period)?.label ?? r.period]))
                return req.redirect(to: "/star-ratings/\(r.id!.uuidString.lowercased())")
            } catch let v as ValidationFailure {
                return try await list(
                    req, errors: v.errors.map { req.application.catalog.fieldMessage($0, req.language) }, status: .unprocessableEntity)
            } catch let x as any AbortError where x.status == .conflict {
                return try await list(req, errors: [x.reason], status: .conflict)
            }
        }
        app.endpoint(.GET, "star-ratings", ":id", access: pageAccess) { req in try await detail(req) }
        app.endpoint(.POST, "star-ratings", ":id", "confirm", access: S.confirmers) { req -> Response in
            let r = try await S.confirm(try req.uuid("id"), req: req)
            req.flash(req.t("star.confirmedFlash", ["period": EvaluationPeriod(key: r.period)?.label ?? r.period]))
            return req.redirect(to: "/star-ratings/\(r.id!.uuidString.lowercased())")
        }
        app.endpoint(.GET, "star-ratings", ":id", "review", access: reviewAccess) { req in try await reviewPage(req, errors: []) }
        app.endpoint(.POST, "star-ratings", ":id", "review", access: reviewAccess) { req -> Response in
            let id = try req.uuid("id")
            let form = try req.content.decode([String: String].self)
            let r = try await S.find(id, on: req.db)
            let n = r.criteriaValue.count
            do {
                var v = Validator()
                var scores: [Double] = []
                for i in 0..<n {
                    let raw = (form["score\(i)"] ?? "").trimmingCharacters(in: .whitespaces)
                    if let d = Double(raw) { scores.append(d) } else { v.add("scores.\(i)", raw.isEmpty ? "required" : "number") }
                }
                guard v.isValid else { throw ValidationFailure(v.errors) }
                let input = S.ReviewInput(
                    ratee: req.query[String.self, at: "ratee"], scores: scores, comments: (0..<n).map { form["comment\($0)"] ?? "" },
                    overall: form["overall"])
                if try req.requirePrincipal().role.isOutsideEvaluator {
                    let card = try await OutsideEvaluation.score(id, input, req: req)
                    req.flash(req.t("star.reviewed", ["score": ScoringRule.number(card.score)]))
                    return req.redirect(to: "/outside-evaluation")
                }
                let review = try await S.review(id, input, req: req)
                req.flash(req.t("star.reviewed", ["score": ScoringRule.number(review.score)]))
                return req.redirect(to: "/star-ratings/\(id.uuidString.lowercased())")
            } catch let v as ValidationFailure {
                return try await reviewPage(
                    req, errors: v.errors.map { req.application.catalog.fieldMessage($0, req.language) }, form: form,
                    status: .unprocessableEntity)
            }
        }
        // The public side.
        app.endpoint(.GET, "stars", ":id", access: .public) { req in try await board(req) }
        app.endpoint(.GET, "stars", ":id", ":kind", ":target", access: .public) { req in try await survey(req, errors: [], form: [:]) }
        app.endpoint(.POST, "stars", ":id", ":kind", ":target", access: .public) { req in try await vote(req) }.limited(.proven)
        app.endpoint(.POST, "stars", ":id", ":kind", ":target", "code", access: .public) { req in try await sendCode(req) }.limited(
            .surveyCodes)
        app.endpoint(.GET, "stars", ":id", ":kind", ":target", "qr.svg", access: .public) { req -> Response in
            let (r, subject) = try await located(req)
            return try QueuePages.qrImage(QueuePages.publicBase(req) + StarRatingRoutes.surveyPath(r.id!, subject.key))
        }
    }

    // MARK: the center's pages

    static func list(_ req: Request, errors: [String], status: HTTPStatus = .ok) async throws -> Response {
        let scope = try await req.scope()
        let center = try req.chosenCenter(scope)
        let p = try req.requirePrincipal()
        let ratings = try await StarRatingModel.query(on: req.db).filter(\.$centerID == center).sort(\.$period, .descending).limit(20)
            .all()
        let half = EvaluationPeriod(.halfYear, containing: HallClock.day(req.now))
        let view = ListView(
            centerOptions: req.centerOptions(scope, selected: center.uuidString), center: center.uuidString,
            ratings: ratings.map { line($0, req: req) },
            periodOptions: [half.previous, half, half.next].map { .init(value: $0.description, label: $0.label, selected: $0 == half) },
            criteria: StarRules.defaultCriteria.joined(separator: "、"), canOpen: [.centerAdmin, .campaignOffice].contains(p.role),
            errors: errors)
        return try await req.page("evaluation/star-ratings", title: req.t("star.title"), view, status: status)
    }

    static func detail(_ req: Request) async throws -> Response {
        let p = try req.requirePrincipal()
        let r = try await S.find(try req.uuid("id"), on: req.db)
        try await req.scope().require(r.centerID)
        let subjects = try await S.subjects(r, on: req.db)
        let figures = try await S.breakdowns(r, subjects: subjects, req: req)
        var rows: [Row] = []
        for s in subjects {
            let b = figures[s.key]
            let mayReview = r.state == "open" ? try await S.level(for: s, rating: r, req: req) != nil : false
            rows.append(
                Row(
                    name: s.name, kind: req.t("star.kind.\(s.kind.rawValue)"), votes: String(b?.votes ?? 0),
                    survey: number(b?.publicScore),
                    reviewed: (b?.reviews ?? []).map { req.t("star.level.\($0.level.rawValue)") }
                        .joined(separator: "、"),
                    leader: number(b?.leaderScore),
                    outside: b?.outsideScore.map { number($0) + " (\(b?.outsideReviews?.count ?? 0))" } ?? "—",
                    combined: number(b?.combined), stars: starText(b?.stars), starCount: b?.stars ?? -1,
                    comment: b?.comment ?? "", surveyPath: StarRatingRoutes.surveyPath(r.id!, s.key),
                    reviewHref: mayReview ? "/star-ratings/\(r.id!.uuidString.lowercased())/review?ratee=\(s.key)" : ""))
        }
        let view = DetailView(
            rating: line(r, req: req), rows: rows, canConfirm: r.state == "open" && p.role == .campaignOffice,
            unrated: rows.filter { $0.starCount < 0 }.count, boardPath: "/stars/\(r.id!.uuidString.lowercased())")
        return try await req.page(
            "evaluation/star-rating", title: req.t("star.detailTitle", ["period": view.rating.period]), view)
    }

    struct ReviewView: Encodable {
        struct Criterion: Encodable {
            var label: String
            var index: Int
            var score: String
            var comment: String
        }
        var ratingID: String
        var ratee: String
        var name: String
        var level: String
        var criteria: [Criterion]
        var overall: String
        var votes: Int
        var survey: String
        /// The public's comments with their votes, newest first (no voter is shown).
        var publicComments: [String]
        /// Leaders read the public's figures and comments; an outside evaluator scores without them.
        var showSurvey: Bool
        /// A member of staff's training and periodic appraisals (issue 23), for the leaders.
        var record: [String] = []
        var recordHref: String = ""
        var backHref: String
        var errors: [String]
    }

    static func reviewPage(
        _ req: Request, errors: [String], form: [String: String] = [:], status: HTTPStatus = .ok
    ) async throws
        -> Response
    {
        let r = try await S.find(try req.uuid("id"), on: req.db)
        guard let subject = try await S.subject(r, req.query[String.self, at: "ratee"] ?? "", on: req.db) else { throw Abort(.notFound) }
        guard let level = try await S.level(for: subject, rating: r, req: req) else { throw Abort(.forbidden) }
        let p = try req.requirePrincipal()
        let outside = level == .outside
        let previous =
            outside
            ? try await OutsideScoreModel.query(on: req.db).filter(\.$ratingID == r.requireID()).filter(\.$subject == subject.key)
                .filter(\.$evaluatorID == p.id).first()?.reviewValue
            : try await StarReviewModel.query(on: req.db).filter(\.$ratingID == r.requireID()).filter(\.$subject == subject.key)
                .filter(\.$level == level.rawValue).first()?.reviewValue
        let b = outside ? nil : try await S.breakdowns(r, req: req)[subject.key]
        let said =
            outside
            ? []
            : try await StarVoteModel.query(on: req.db).filter(\.$ratingID == r.requireID()).filter(\.$subject == subject.key)
                .filter(\.$comment != "").sort(\.$createdAt, .descending).limit(100).all()
        let view = ReviewView(
            ratingID: r.id!.uuidString.lowercased(), ratee: subject.key, name: subject.name,
            level: outside ? req.t("role.\(p.role.rawValue)") : req.t("star.level.\(level.rawValue)"),
            criteria: r.criteriaValue.enumerated().map { i, c in
                .init(
                    label: c, index: i,
                    score: form["score\(i)"] ?? previous.flatMap { $0.scores.indices.contains(i) ? ScoringRule.number($0.scores[i]) : nil }
                        ?? "",
                    comment: form["comment\(i)"] ?? previous.flatMap { $0.comments.indices.contains(i) ? $0.comments[i] : nil } ?? "")
            }, overall: form["overall"] ?? previous?.summary ?? "", votes: b?.votes ?? 0, survey: number(b?.survey),
            publicComments: said.map {
                HallClock.day(Date(timeIntervalSince1970: Double($0.createdAt) / 1000)).description + " " + $0.comment
            }, showSurvey: !outside,
            backHref: outside ? "/outside-evaluation" : "/star-ratings/\(r.id!.uuidString.lowercased())", errors: errors)
        var shown = view
        if !outside && subject.kind == .staff, let id = UUID(uuidString: String(subject.key.dropFirst("staff:".count))) {
            let trainings = try await StaffTrainingModel.query(on: req.db).filter(\.$staffID == id).sort(\.$day, .descending).limit(10)
                .all()
            let appraisals = try await StaffAppraisalModel.query(on: req.db).filter(\.$staffID == id).sort(\.$period, .descending).limit(6)
                .all()
            shown.record =
                appraisals.map {
                    (EvaluationPeriod(key: $0.period)?.label ?? $0.period) + " " + req.t("staff.appraiser.\($0.appraiser)") + "："
                        + req.t("staff.grade.\($0.grade)") + ($0.comment.isEmpty ? "" : "（\($0.comment)）")
                }
                + trainings.map {
                    "\($0.day) \($0.course) \(StaffRecords.hoursText($0.hoursTenths)) " + req.t("field.hours")
                        + ($0.result.isEmpty ? "" : " · \($0.result)")
                }
            shown.recordHref = "/center/staff/\(id.uuidString.lowercased())"
        }
        let title = req.t(outside ? "outside.scoreTitle" : "star.reviewTitle", ["name": subject.name])
        return try await req.page("evaluation/star-review", title: title, shown, status: status)
    }
}
