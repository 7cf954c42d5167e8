import Foundation
import OneStopCore
import Vapor

/// The forms of the center's own pages (issue 23): each posts, then comes back to its page at the
/// section it changed; a refusal re-renders the page with the faults in the user's language and
/// the form as it was sent, and changes nothing. A form for a center other than the viewer's own
/// (an administrator of a wider scope, `?center=`) carries it in its action and comes back to it.
enum CenterForms {
    typealias Page = @Sendable (Request, [String], [String: String], HTTPStatus) async throws -> Response

    /// `act` returns the message to flash, the section to come back to and the page's query.
    static func post(
        _ app: any RoutesBuilder, _ path: [PathComponent], access: Access, base: String, page: @escaping Page,
        act: @escaping @Sendable (Request) async throws -> (String, String, String)
    ) {
        app.endpoint(.POST, path, access: access, body: .collect(maxSize: "8mb")) { req -> Response in
            do {
                let (message, anchor, query) = try await act(req)
                req.flash(message)
                // Back to the center the form was for, when it was not the viewer's own.
                let center = req.viewedCenterParameter.map { (query.contains("?") ? "&" : "?") + $0 } ?? ""
                return req.redirect(to: "\(base)\(query)\(center)#\(anchor)")
            } catch let v as ValidationFailure {
                let form = (try? req.content.decode([String: String].self)) ?? [:]
                return try await page(req, BrandManagePages.messages(v, req), form, .unprocessableEntity)
            } catch let x as any AbortError where x.status == .conflict || x.status == .forbidden {
                let form = (try? req.content.decode([String: String].self)) ?? [:]
                // A bare refusal reads in the user's language, not as the HTTP phrase.
                let plain = x.reason == x.status.reasonPhrase
                return try await page(req, [plain ? req.t("problem.\(x.status.code)") : x.reason], form, x.status)
            }
        }
    }
}
