import Fluent
import Foundation
import OneStopCore
import Vapor

/// The public survey page of a brand (issue 22), `/brands/survey/{id}`, reached by its QR code or
/// link: five levels of satisfaction and a comment, a phone confirmed by a one-time code (or a
/// signed-in applicant), one vote per person.
enum BrandSurveyPages {
    struct View: Encodable {
        var action: String
        var open: Bool
        var name: String
        var department: String
        var logo: String
        var brandHref: String
        var closesOn: String
        var levels: [FormView.Option]
        var signedIn: Bool
        var phone: String
        var comment: String
        var codeSent: String
        var via: String
        var voted: Bool
        var errors: [String]
    }

    static func register(_ app: any RoutesBuilder) {
        app.endpoint(.GET, "brands", "survey", ":id", access: .public) { req in
            try await page(req, errors: [], form: [:], voted: req.query[String.self, at: "voted"] == "1")
        }
        app.endpoint(.POST, "brands", "survey", ":id", access: .public) { req -> Response in
            let form = try req.content.decode([String: String].self)
            let id = try req.uuid("id")
            do {
                let r = try await BrandSurveyService.vote(
                    id,
                    .init(
                        satisfaction: form["satisfaction"].flatMap { Int($0) }, comment: form["comment"], phone: form["phone"],
                        smsCode: form["smsCode"], via: form["via"]), req: req)
                req.flash(req.t("brand.thanks", ["name": r.brandName]))
                return req.redirect(to: BrandSurveyService.path(id) + "?voted=1")
            } catch let v as ValidationFailure {
                return try await page(req, errors: BrandManagePages.messages(v, req), form: form, status: .unprocessableEntity)
            } catch let x as any AbortError where [.conflict, .tooManyRequests, .serviceUnavailable].contains(x.status) {
                return try await page(req, errors: [x.reason], form: form, status: x.status)
            }
        }.limited(.proven)
        app.endpoint(.POST, "brands", "survey", ":id", "code", access: .public) { req -> Response in
            let form = try req.content.decode([String: String].self)
            do {
                _ = try await BrandSurveyService.requestCode(try req.uuid("id"), phone: form["phone"], req: req)
                let phone = PhoneNumber.normalized(form["phone"] ?? "") ?? ""
                return try await page(
                    req, errors: [], form: form, codeSent: req.t("star.codeSent", ["phone": Masking.keep(phone, head: 3, tail: 4)]))
            } catch let v as ValidationFailure {
                return try await page(req, errors: BrandManagePages.messages(v, req), form: form, status: .unprocessableEntity)
            } catch let x as any AbortError where [.conflict, .tooManyRequests, .serviceUnavailable].contains(x.status) {
                return try await page(req, errors: [x.reason], form: form, status: x.status)
            }
        }.limited(.surveyCodes)
    }

    static func page(
        _ req: Request, errors: [String], form: [String: String], codeSent: String = "", voted: Bool = false,
        status: HTTPStatus = .ok
    ) async throws -> Response {
        let s = try await BrandSurveyService.find(try req.uuid("id"), on: req.db)
        let b = try await BrandService.find(s.brandID, on: req.db)
        var department = ""
        if let d = b.departmentID { department = try await DepartmentModel.find(d, on: req.db)?.name ?? "" }
        let open = BrandSurveyService.accepting(s, today: HallClock.day(req.now))
        let view = View(
            action: BrandSurveyService.path(s.id!), open: open, name: b.name, department: department, logo: BrandPages.logoPath(b),
            brandHref: b.stateValue.isPublic ? "/brands/\(b.id!.uuidString.lowercased())" : "", closesOn: s.closesOn,
            levels: (1...5).reversed().map {
                .init(value: String($0), label: req.t("star.answer.\($0)"), selected: form["satisfaction"] == String($0))
            },
            signedIn: req.principal?.role == .applicant, phone: form["phone"] ?? "", comment: form["comment"] ?? "",
            codeSent: codeSent, via: req.query[String.self, at: "via"] == "qr" || form["via"] == "qr" ? "qr" : "link", voted: voted,
            errors: errors)
        let res = try await req.page("public/brand-survey", title: req.t("brand.surveyTitle", ["name": b.name]), view, status: status)
        res.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return res
    }
}
