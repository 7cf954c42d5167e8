import Vapor

/// The sizes a request's head may have: a target (path and query) of at most 8 KB and headers of
/// at most 32 KB in all, the limits of common front proxies. Over them the answer is 414 or 431,
/// as a problem or a page, before anything reads the request; over the HTTP parser's own limit
/// (80 KB) the server answers 400 and closes the connection.
struct RequestLimitsMiddleware: Middleware {
    static let maxTarget = 8 * 1024
    static let maxHeaders = 32 * 1024

    func respond(to req: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        // The target as sent: its path and query (Vapor's `url.string` costs a URLComponents
        // rebuild and a Foundation replacement on every request).
        if req.urlPath.utf8.count + (req.url.query.map { $0.utf8.count + 1 } ?? 0) > Self.maxTarget {
            return req.eventLoop.makeFailedFuture(Abort(.uriTooLong, reason: req.t("problem.uriTooLong")))
        }
        var size = 0
        for (name, value) in req.headers { size += name.utf8.count + value.utf8.count + 4 }
        if size > Self.maxHeaders {
            return req.eventLoop.makeFailedFuture(Abort(.requestHeaderFieldsTooLarge, reason: req.t("problem.headersTooLarge")))
        }
        return next.respond(to: req)
    }
}
