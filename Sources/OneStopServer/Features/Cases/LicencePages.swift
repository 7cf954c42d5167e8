import Fluent
import Foundation
import OneStopCore
import Vapor

/// 电子证照 on the web: the public verification page (by the QR code's address, or by number and
/// code), a file checked against the stored SHA-256, and the PDF for the case's staff and holder.
enum LicencePages {
    struct VerifyView: Encodable {
        var number: String
        var code: String
        var error: String?
        var licence: LicenceDTO?
        var stateLabel: String
        var token: String
        /// After a file was checked: whether its SHA-256 is the stored one.
        var fileMatches: Bool?
        var fileHash: String
    }

    static func register(_ app: any RoutesBuilder) {
        app.endpoint(.GET, "verify", access: .public) { req -> Response in
            let number = (req.query[String.self, at: "number"] ?? "").trimmingCharacters(in: .whitespaces)
            let code = (req.query[String.self, at: "code"] ?? "").trimmingCharacters(in: .whitespaces)
            var error: String?
            if !number.isEmpty || !code.isEmpty {
                if let l = try await find(number: number, code: code, on: req.db) { return req.redirect(to: "/verify/\(l.verifyToken)") }
                error = req.t("licence.notFound")
            }
            return try await page(
                req, VerifyView(number: number, code: code, error: error, licence: nil, stateLabel: "", token: "", fileHash: ""))
        }
        app.endpoint(.GET, "verify", ":token", access: .public) { req in
            try await shown(req, token: req.parameters.get("token") ?? "", file: nil)
        }
        app.endpoint(.POST, "verify", ":token", access: .public, body: .collect(maxSize: "10mb")) { req in
            struct Upload: Content { var file: File? }
            let upload = try? req.content.decode(Upload.self)
            return try await shown(req, token: req.parameters.get("token") ?? "", file: upload?.file)
        }
        app.endpoint(.GET, "licences", ":file", access: CaseAccess.viewers) { req -> Response in
            let raw = req.parameters.get("file") ?? ""
            guard raw.hasSuffix(".pdf"), let id = UUID(uuidString: String(raw.dropLast(4))),
                let l = try await LicenceModel.find(id, on: req.db)
            else { throw Abort(.notFound) }
            _ = try await CaseAccess.visible(l.caseID, req: req)
            let res = Response(status: .ok, body: .init(data: l.pdf))
            res.headers.contentType = HTTPMediaType(type: "application", subType: "pdf")
            res.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"licence-\(l.number).pdf\"")
            res.headers.replaceOrAdd(name: "ETag", value: "\"\(l.sha256)\"")
            return res
        }
    }

    static func registerAPI(_ api: any RoutesBuilder) {
        api.endpoint(
            .GET, "licences", "verify", access: .public,
            operation: .init(
                id: "verifyLicence", summary: "An electronic licence by its number and printed code, with the SHA-256 of its PDF",
                tag: "Cases", response: "Licence",
                query: [
                    .init(name: "number", type: "string", required: true), .init(name: "code", type: "string", required: true),
                ])
        ) { req -> LicenceDTO in
            let number = req.query[String.self, at: "number"] ?? ""
            let code = req.query[String.self, at: "code"] ?? ""
            guard let l = try await find(number: number, code: code, on: req.db) else {
                throw Abort(.notFound, reason: req.t("licence.notFound"))
            }
            return LicenceDTO(l, req: req, masked: true)
        }
    }

    /// The licence with this number whose token starts with the code (dash and case ignored).
    static func find(number: String, code: String, on db: any Database) async throws -> LicenceModel? {
        let typed = code.replacingOccurrences(of: "-", with: "").lowercased()
        guard !number.isEmpty, typed.count == 8 else { return nil }
        return try await LicenceModel.query(on: db).filter(\.$number == number).all().first { $0.verifyToken.lowercased().hasPrefix(typed) }
    }

    static func shown(_ req: Request, token: String, file: File?) async throws -> Response {
        guard !token.isEmpty, let l = try await LicenceModel.query(on: req.db).filter(\.$verifyToken == token).first() else {
            throw Abort(.notFound)
        }
        var matches: Bool?
        var hash = ""
        if let file {
            hash = Digest.sha256Hex(Array(file.data.readableBytesView))
            matches = hash == l.sha256
        }
        let dto = LicenceDTO(l, req: req, masked: true)
        return try await page(
            req,
            VerifyView(
                number: l.number, code: dto.code, error: file == nil && req.method == .POST ? req.t("licence.noFile") : nil, licence: dto,
                stateLabel: req.t("licence.state.\(l.state)"), token: token, fileMatches: matches, fileHash: hash))
    }

    static func page(_ req: Request, _ view: VerifyView) async throws -> Response {
        let status: HTTPResponseStatus = view.error != nil ? .unprocessableEntity : .ok
        return try await req.page("cases/verify", title: req.t("licence.verifyTitle"), view, status: status)
    }
}
