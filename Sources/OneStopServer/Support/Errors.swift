import Foundation
import OneStopCore
import Vapor

/// The one place errors become responses: RFC 9457 problem details under `/api` (and for
/// machine endpoints), an HTML page everywhere else. 5xx are logged as errors, 4xx as info.
struct ErrorResponder: Middleware {
    func respond(to req: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        next.respond(to: req).flatMapError { error in
            req.eventLoop.makeFutureWithTask { await render(error, for: req) }
        }
    }

    func render(_ error: any Error, for req: Request) async -> Response {
        let status: HTTPResponseStatus
        var title: String
        var detail: String?
        var fields: [FieldError] = []
        var headers = HTTPHeaders()
        switch error {
        case let e where StorageFault.of(e) != nil:
            // The database, not the request: say so, and when to try again.
            let full = StorageFault.of(e) == .diskFull
            status = full ? .insufficientStorage : .serviceUnavailable
            title = req.t(full ? "problem.507" : "problem.503")
            detail = req.t(full ? "problem.diskFull" : "problem.databaseDown")
            headers.replaceOrAdd(name: .retryAfter, value: String(StorageFault.retryAfterSeconds))
        case let v as ValidationFailure:
            status = .unprocessableEntity
            title = req.t("problem.validation")
            fields = v.errors
        case let r as CaseFlow.Refusal:
            // A move the case's procedure does not allow now: said in the procedure's words.
            status = .conflict
            title = req.t("problem.409")
            detail = req.t(r.key, r.arguments.mapValues { $0.hasPrefix("case.") ? req.t($0) : $0 })
        case is OutsideScope:
            status = .forbidden
            title = req.t("problem.403")
            detail = req.t("auth.outsideScope")
        case let d as DecodingError:
            status = .badRequest
            title = req.t("problem.badRequest")
            detail = Self.describe(d)
        case let a as any AbortError:
            status = a.status
            title = req.t("problem.\(a.status.code)")
            if title.hasPrefix("problem.") { title = a.status.reasonPhrase }
            if a.reason != a.status.reasonPhrase { detail = a.reason }
            headers = a.headers
        default:
            status = .internalServerError
            title = req.t("problem.500")
        }
        if status.code >= 500 {
            req.logger.error("request failed", metadata: ["path": "\(req.url.path)", "error": "\(String(reflecting: error))"])
        } else {
            req.logger.info("request refused", metadata: ["path": "\(req.url.path)", "status": "\(status.code)"])
        }
        if status == .unauthorized, !wantsJSON(req) {
            let next = req.url.path + (req.url.query.map { "?\($0)" } ?? "")
            return req.redirect(to: "/login?next=\(next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/")")
        }
        let catalog = req.application.catalog
        let lang = req.language
        if wantsJSON(req) {
            let problem = Problem(
                type: "about:blank", title: title, status: Int(status.code), detail: detail, instance: req.url.path,
                errors: fields.isEmpty
                    ? nil : fields.map { .init(field: $0.field, code: $0.code, message: catalog.fieldMessage($0, lang)) })
            let response = Response(status: status, headers: headers)
            try? response.content.encode(problem, using: JSONEncoder())
            response.headers.contentType = HTTPMediaType(type: "application", subType: "problem+json", parameters: ["charset": "utf-8"])
            return response
        }
        let page = ErrorPage(
            status: Int(status.code), title: title, detail: detail,
            messages: fields.map { catalog.fieldMessage($0, lang) })
        do {
            let response = try await req.view.render("error", PageContext(req, title: title, page)).encodeResponse(for: req)
            response.status = status
            for (name, value) in headers { response.headers.replaceOrAdd(name: name, value: value) }
            return response
        } catch {
            return Response(status: status, body: .init(string: "\(status.code) \(title)"))
        }
    }

    private func wantsJSON(_ req: Request) -> Bool {
        let p = req.url.path
        return p.hasPrefix("/api/") || p == "/openapi.json" || p == "/readyz"
    }

    static func describe(_ e: DecodingError) -> String {
        switch e {
        case .keyNotFound(let key, _): return "missing field \(key.stringValue)"
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c):
            let path = c.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? c.debugDescription : "\(path): \(c.debugDescription)"
        @unknown default: return "malformed body"
        }
    }
}

struct Problem: Content {
    struct InvalidField: Content {
        var field: String
        var code: String
        var message: String
    }

    var type: String
    var title: String
    var status: Int
    var detail: String?
    var instance: String
    var errors: [InvalidField]?
}

struct ErrorPage: Encodable {
    var status: Int
    var title: String
    var detail: String?
    var messages: [String]
}
