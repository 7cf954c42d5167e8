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

    struct Row: Encodable {
        var name: String
        var kind: String
        var votes: String
        var survey: String
        var reviewed: String
        var leader: String
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
        return RatingLine(
            id: r.id!.uuidString.lowercased(), period: EvaluationPeriod(key: r.period)?.label ?? r.period,
            state: req.t("star.state.\(r.state)"), open: r.state == "open", criteria: r.criteriaValue.joined(separator: "、"),
            scale: req.t(
                "star.scaleLine",
                [
                    "public": ScoringRule.number(s.publicWeight * 100 / (s.publicWeight + s.leaderWeight)),
                    "leader": ScoringRule.number(s.leaderWeight * 100 / (s.publicWeight + s.leaderWeight)),
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
                var ratingWeight: String?
                var organisations: String?
            }
            let f = try req.content.decode(F.self)
            do {
                var v = Validator()
                let pw = Double(f.publicWeight ?? "50")
                if pw == nil || !(0...100).contains(pw!) { v.add("scale", "star.weights") }
                let rw = Double(f.ratingWeight ?? "0")
                if rw == nil || !(0...100).contains(rw!) { v.add("scale", "star.ratingWeight") }
                guard v.isValid, let pw, let rw else { throw ValidationFailure(v.errors) }
                let criteria = (f.criteria ?? "").split(whereSeparator: { "、,，\n".contains($0) }).map {
                    $0.trimmingCharacters(in: .whitespacesAndNewlines)
                }.filter { !$0.isEmpty }
                let r = try await S.open(
                    .init(
                        center: f.center, period: f.period, criteria: criteria.isEmpty ? nil : criteria, publicWeight: pw / 100,
                        leaderWeight: 1 - pw / 100, ratingWeight: rw / 100, bands: nil, organisations: f.organisations == "on"),
                    req: req)
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
        app.endpoint(.GET, "star-ratings", ":id", "review", access: S.reviewers) { req in try await reviewPage(req, errors: []) }
        app.endpoint(.POST, "star-ratings", ":id", "review", access: S.reviewers) { req -> Response in
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
                let review = try await S.review(
                    id,
                    .init(
                        ratee: req.query[String.self, at: "ratee"], scores: scores, comments: (0..<n).map { form["comment\($0)"] ?? "" },
                        overall: form["overall"]), req: req)
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
        app.endpoint(.POST, "stars", ":id", ":kind", ":target", access: .public) { req in try await vote(req) }
        app.endpoint(.POST, "stars", ":id", ":kind", ":target", "code", access: .public) { req in try await sendCode(req) }
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
                    leader: number(b?.leaderScore), combined: number(b?.combined), stars: starText(b?.stars), starCount: b?.stars ?? -1,
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
        let previous = try await StarReviewModel.query(on: req.db).filter(\.$ratingID == r.requireID()).filter(\.$subject == subject.key)
            .filter(\.$level == level.rawValue).first()?.reviewValue
        let b = try await S.breakdowns(r, req: req)[subject.key]
        let said = try await StarVoteModel.query(on: req.db).filter(\.$ratingID == r.requireID()).filter(\.$subject == subject.key)
            .filter(\.$comment != "").sort(\.$createdAt, .descending).limit(100).all()
        let view = ReviewView(
            ratingID: r.id!.uuidString.lowercased(), ratee: subject.key, name: subject.name, level: req.t("star.level.\(level.rawValue)"),
            criteria: r.criteriaValue.enumerated().map { i, c in
                .init(
                    label: c, index: i,
                    score: form["score\(i)"] ?? previous.flatMap { $0.scores.indices.contains(i) ? ScoringRule.number($0.scores[i]) : nil }
                        ?? "",
                    comment: form["comment\(i)"] ?? previous.flatMap { $0.comments.indices.contains(i) ? $0.comments[i] : nil } ?? "")
            }, overall: form["overall"] ?? previous?.summary ?? "", votes: b?.votes ?? 0, survey: number(b?.survey),
            publicComments: said.map {
                HallClock.day(Date(timeIntervalSince1970: Double($0.createdAt) / 1000)).description + " " + $0.comment
            },
            errors: errors)
        return try await req.page("evaluation/star-review", title: req.t("star.reviewTitle", ["name": subject.name]), view, status: status)
    }

    // MARK: the public pages

    static func located(_ req: Request) async throws -> (StarRatingModel, S.Subject) {
        let r = try await S.find(try req.uuid("id"), on: req.db)
        let key = (req.parameters.get("kind") ?? "") + ":" + (req.parameters.get("target") ?? "")
        guard let subject = try await S.subject(r, key, on: req.db) else { throw Abort(.notFound) }
        return (r, subject)
    }

    struct BoardView: Encodable {
        var open: Bool
        var period: String
        var centerName: String
        var rows: [Row]
    }

    static func board(_ req: Request) async throws -> Response {
        let r = try await S.find(try req.uuid("id"), on: req.db)
        let subjects = try await S.subjects(r, on: req.db)
        let figures = r.state == "confirmed" ? try await S.breakdowns(r, subjects: subjects, req: req) : [:]
        var rows: [Row] = []
        for s in subjects {
            let b = figures[s.key]
            rows.append(
                Row(
                    name: s.name, kind: req.t("star.kind.\(s.kind.rawValue)"), votes: String(b?.votes ?? 0), survey: number(b?.publicScore),
                    reviewed: "", leader: number(b?.leaderScore), combined: number(b?.combined), stars: starText(b?.stars),
                    starCount: b?.stars ?? -1, comment: b?.comment ?? "", surveyPath: StarRatingRoutes.surveyPath(r.id!, s.key),
                    reviewHref: ""))
        }
        if r.state == "confirmed" {
            rows.sort { ($0.starCount, Double($0.combined) ?? -1) > ($1.starCount, Double($1.combined) ?? -1) }
        }
        let period = EvaluationPeriod(key: r.period)?.label ?? r.period
        let center = try await CenterModel.find(r.centerID, on: req.db)?.name ?? ""
        return try await req.page(
            "public/star-board", title: req.t("star.boardTitle", ["period": period]),
            BoardView(open: r.state == "open", period: period, centerName: center, rows: rows))
    }

    struct SurveyView: Encodable {
        struct Question: Encodable {
            var name: String
            var label: String
            var options: [FormView.Option]
        }
        var action: String
        var open: Bool
        var name: String
        var kind: String
        var unit: String
        var period: String
        var questions: [Question]
        var signedIn: Bool
        var phone: String
        var comment: String
        var codeSent: String
        var via: String
        var errors: [String]
        // Once confirmed: how the stars were made up.
        var stars: String
        var starsLine: String
        var survey: String
        var leader: String
        var combined: String
        var means: [FormView.Option]
        var reviews: [String]
        var comment2: String
        var profileHref: String
    }

    static func survey(
        _ req: Request, errors: [String], form: [String: String], codeSent: String = "", status: HTTPStatus = .ok
    ) async throws -> Response {
        let (r, subject) = try await located(req)
        let criteria = r.criteriaValue
        let period = EvaluationPeriod(key: r.period)?.label ?? r.period
        var unit = ""
        if subject.kind == .staff, let d = subject.departmentID { unit = try await DepartmentModel.find(d, on: req.db)?.name ?? "" }
        let via = req.query[String.self, at: "via"] == "link" ? "link" : "qr"
        var view = SurveyView(
            action: StarRatingRoutes.surveyPath(r.id!, subject.key), open: r.state == "open", name: subject.name,
            kind: req.t("star.kind.\(subject.kind.rawValue)"), unit: unit, period: period,
            questions: criteria.enumerated().map { i, c in
                .init(
                    name: "level\(i)", label: c,
                    options: (1...5).reversed().map {
                        .init(value: String($0), label: req.t("star.answer.\($0)"), selected: form["level\(i)"] == String($0))
                    })
            }, signedIn: req.principal?.role == .applicant, phone: form["phone"] ?? "", comment: form["comment"] ?? "",
            codeSent: codeSent, via: via, errors: errors, stars: "", starsLine: "", survey: "", leader: "", combined: "", means: [],
            reviews: [], comment2: "", profileHref: subject.kind == .staff ? "/staff/" + subject.key.dropFirst(6) : "")
        if r.state == "confirmed", let b = try await S.breakdowns(r, req: req)[subject.key] {
            view.stars = starText(b.stars)
            view.starsLine =
                b.stars.map { req.t("star.profileLine", ["n": String($0), "period": period, "score": number(b.combined)]) }
                ?? req.t("star.profileUnrated", ["period": period])
            view.survey = req.t("star.surveyLine", ["score": number(b.publicScore), "n": String(b.votes)])
            view.leader = number(b.leaderScore)
            view.combined = number(b.combined)
            view.means = zip(criteria, b.criterionMeans).map { .init(value: ScoringRule.number($1), label: $0, selected: false) }
            view.reviews = b.reviews.map { rv in
                req.t("star.level.\(rv.level.rawValue)") + " " + ScoringRule.number(rv.score) + "：" + rv.summary
            }
            view.comment2 = b.comment ?? ""
        }
        let res = try await req.page(
            "public/star-survey", title: req.t("star.surveyTitle", ["name": subject.name]), view, status: status)
        res.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return res
    }

    static func answers(_ form: [String: String], count: Int) -> [Int] {
        (0..<count).map { Int(form["level\($0)"] ?? "") ?? 0 }
    }

    static func vote(_ req: Request) async throws -> Response {
        let (r, subject) = try await located(req)
        let form = try req.content.decode([String: String].self)
        do {
            _ = try await S.vote(
                r.id!,
                .init(
                    ratee: subject.key, levels: answers(form, count: r.criteriaValue.count), comment: form["comment"], phone: form["phone"],
                    smsCode: form["smsCode"], via: form["via"]), req: req)
            req.flash(req.t("star.thanks", ["name": subject.name]))
            return req.redirect(to: StarRatingRoutes.surveyPath(r.id!, subject.key) + "?voted=1")
        } catch let v as ValidationFailure {
            return try await survey(
                req, errors: v.errors.map { req.application.catalog.fieldMessage($0, req.language) }, form: form,
                status: .unprocessableEntity)
        } catch let x as any AbortError where [.conflict, .tooManyRequests, .serviceUnavailable].contains(x.status) {
            return try await survey(req, errors: [x.reason], form: form, status: x.status)
        }
    }

    static func sendCode(_ req: Request) async throws -> Response {
        let (r, _) = try await located(req)
        let form = try req.content.decode([String: String].self)
        do {
            _ = try await S.requestCode(r.id!, phone: form["phone"], req: req)
            let phone = PhoneNumber.normalized(form["phone"] ?? "") ?? ""
            return try await survey(
                req, errors: [], form: form, codeSent: req.t("star.codeSent", ["phone": Masking.keep(phone, head: 3, tail: 4)]))
        } catch let v as ValidationFailure {
            return try await survey(
                req, errors: v.errors.map { req.application.catalog.fieldMessage($0, req.language) }, form: form,
                status: .unprocessableEntity)
        } catch let x as any AbortError where [.conflict, .tooManyRequests, .serviceUnavailable].contains(x.status) {
            return try await survey(req, errors: [x.reason], form: form, status: x.status)
        }
    }
}
