import Fluent
import Foundation
import OneStopCore
import Vapor

/// 一事一评 without signing in (issue 19): each case has one rating link,
/// `/rate/{case}/{token}`, the token a keyed hash of the case (nothing is stored, so a reprinted
/// notice carries the same link). It is printed as a QR code on the decision notices and the
/// 送达回执, and sent through the outbox (`rating.invite`: the applicant's inbox, and the SMS
/// gateway's webhook, which is given the applicant's phone only at delivery) when the case is
/// delivered. The link rates the case once per round; afterwards it shows the rating, what the
/// department did, and the second-round form when one is owed.
enum RatingLinks {
    static let field = "rating.link"

    static func token(for caseID: UUID) -> String { shorten(PersonalData.index(caseID.uuidString, field)) }

    static func valid(_ token: String, for caseID: UUID) -> Bool {
        !token.isEmpty && PersonalData.indexes(caseID.uuidString, field).contains { shorten($0) == token }
    }

    /// 128 bits of the keyed hash, URL-safe.
    private static func shorten(_ index: String) -> String {
        let raw = index.split(separator: ":").last.map(String.init) ?? index
        return String(raw.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").prefix(22))
    }

    static func path(for caseID: UUID) -> String { "/rate/\(caseID.uuidString.lowercased())/\(token(for: caseID))" }

    /// Inside the delivery's transaction: the invitation to rate.
    static func invite(_ c: CaseModel, base: String, millis: Int64, on db: any Database) async throws {
        guard let id = c.id, let a = try await ApplicantModel.find(c.applicantID, on: db) else { return }
        let link = base + path(for: id) + "?via=sms"
        try await Outbox.enqueue(
            "rating.invite",
            .init(
                title: "您的办件 \(c.number) 已办结送达，欢迎评价", body: "请对本次办理作出评价（好差评）：\(link)", link: path(for: id),
                data: ["case": c.number, "link": link, "applicant": a.id!.uuidString]),
            users: [a.userID].compactMap { $0 }, center: c.centerID, at: millis, on: db)
    }

    // MARK: the page

    struct View: Encodable {
        var number: String
        var itemName: String
        var applicant: String
        var action: String
        var via: String
        var rating: CaseRatingPages.View
        var done: Bool
    }

    static func register(_ app: any RoutesBuilder) {
        app.endpoint(.GET, "rate", ":case", ":token", access: .public) { req in try await page(req, errors: []) }
        app.endpoint(.POST, "rate", ":case", ":token", access: .public) { req in try await post(req, again: false) }
        app.endpoint(.POST, "rate", ":case", ":token", "again", access: .public) { req in try await post(req, again: true) }
    }

    private static func post(_ req: Request, again: Bool) async throws -> Response {
        let (c, a) = try await linked(req)
        let via: RatingChannel = req.query[String.self, at: "via"] == "sms" ? .sms : .qrCode
        do {
            if again {
                guard let first = try await CaseRating.existing(try c.requireID(), on: req.db) else { throw Abort(.notFound) }
                var input = try req.content.decode(RateAgain.Input.self)
                input.token = req.parameters.get("token")
                _ = try await RateAgain.rate(first.requireID(), input, req: req)
            } else {
                _ = try await CaseRating.rate(c, by: a, channel: via, try req.content.decode(CaseRating.Input.self), req: req)
            }
            req.flash(req.t("case.rate.thanks"))
        } catch let v as ValidationFailure {
            return try await page(req, errors: v.errors.map { req.application.catalog.fieldMessage($0, req.language) })
        } catch let x as any AbortError where x.status == .conflict {
            return try await page(req, errors: [x.reason])
        }
        return req.redirect(to: path(for: try c.requireID()) + "?via=\(via == .sms ? "sms" : "qr")")
    }

    private static func linked(_ req: Request) async throws -> (CaseModel, ApplicantModel) {
        guard let raw = req.parameters.get("case"), let id = UUID(uuidString: raw), valid(req.parameters.get("token") ?? "", for: id),
            let c = try await CaseModel.find(id, on: req.db), let a = try await ApplicantModel.find(c.applicantID, on: req.db)
        else { throw Abort(.notFound) }
        return (c, a)
    }

    static func page(_ req: Request, errors: [String]) async throws -> Response {
        let (c, a) = try await linked(req)
        let id = try c.requireID()
        let via = req.query[String.self, at: "via"] == "sms" ? "sms" : "qr"
        var rating = try await CaseRatingPages.view(c, req: req)
        rating.errors = errors
        rating.action = path(for: id) + "?via=" + via
        rating.againAction = path(for: id) + "/again?via=" + via
        let view = View(
            number: c.number, itemName: c.itemName, applicant: Masking.keep(a.name, head: 1, tail: 0), action: path(for: id),
            via: via, rating: rating, done: CaseState(rawValue: c.state).map(CaseRating.ratable) ?? false)
        let res = try await req.page(
            "ratings/link", title: req.t("rateLink.title"), view, status: errors.isEmpty ? .ok : .unprocessableEntity)
        res.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return res
    }
}
