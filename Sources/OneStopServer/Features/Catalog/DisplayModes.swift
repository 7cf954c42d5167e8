import Foundation
import OneStopCore
import Vapor

/// Kiosk mode (the hall's touch screen) and the elder-friendly mode, both remembered in cookies.
enum DisplayModes {
    static let kioskCookie = "onestop_kiosk"
    static let elderCookie = "onestop_elder"
    static let defaultIdleSeconds = 90

    static func register(_ r: any RoutesBuilder) {
        // Set up once on the kiosk's browser: /kiosk/DL010200?idle=60. The screen then shows the
        // center's hall in large type and goes back to it after `idle` seconds untouched.
        r.endpoint(.GET, "kiosk", ":code", access: .public) { req -> Response in
            let c = try PublicCenter.find(req.parameters.get("code") ?? "", in: try await req.catalog())
            let idle = min(max(req.query[Int.self, at: "idle"] ?? defaultIdleSeconds, 15), 3600)
            let response = req.redirect(to: "/hall/\(c.code)")
            response.cookies[kioskCookie] = cookie("\(c.code):\(idle)", req: req)
            return response
        }
        r.endpoint(.GET, "kiosk", ":code", "exit", access: .public) { req -> Response in
            let response = req.redirect(to: "/")
            response.cookies[kioskCookie] = cookie("", req: req, expired: true)
            return response
        }
        r.endpoint(.GET, "elder", ":state", access: .public) { req -> Response in
            let state = req.parameters.get("state")
            guard state == "on" || state == "off" else { throw Abort(.notFound) }
            let response = req.redirect(to: AuthPages.safeNext(req.query[String.self, at: "back"]))
            response.cookies[elderCookie] = cookie("1", req: req, expired: state == "off")
            return response
        }
    }

    static func cookie(_ value: String, req: Request, expired: Bool = false) -> HTTPCookies.Value {
        HTTPCookies.Value(
            string: value, expires: expired ? Date(timeIntervalSince1970: 0) : req.now.addingTimeInterval(365 * 86400), path: "/",
            isSecure: req.application.settings.secureCookies, isHTTPOnly: true, sameSite: .lax)
    }

    struct Kiosk: Encodable {
        var home: String
        var idleSeconds: Int
    }

    static func kiosk(_ req: Request) -> Kiosk? {
        guard let raw = req.cookies[kioskCookie]?.string, !raw.isEmpty else { return nil }
        let parts = raw.split(separator: ":")
        guard parts.count == 2, let idle = Int(parts[1]),
            parts[0].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        else { return nil }
        return Kiosk(home: "/hall/\(parts[0])", idleSeconds: idle)
    }

    static func elder(_ req: Request) -> Bool { req.cookies[elderCookie]?.string == "1" }
}
