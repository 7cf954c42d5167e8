import OneStopCore
import Vapor

/// An API operation as the OpenAPI document describes it.
struct APIOperation: Sendable {
    var id: String
    var summary: String
    var tag: String
    var request: String? = nil
    var response: String? = nil
    var responseIsList = false
    var query: [QueryParameter] = []
    var successStatus = 200

    struct QueryParameter: Sendable {
        var name: String
        var type: String
        /// "date" (YYYY-MM-DD) or "uuid": checked before the handler runs, as the type is.
        var format: String? = nil
        var required: Bool = false
        var description: String = ""
    }
}

enum RouteInfoKey {
    static let access = "onestop.access"
    static let operation = "onestop.operation"
    static let publicLimit = "onestop.publicLimit"
}

/// How a public change (sent without signing in) is limited per client address.
enum PublicLimit: Sendable {
    /// The public forms' allowance (`throttle.forms`).
    case forms
    /// A survey's one-time codes (`throttle.surveys`).
    case surveyCodes
    /// Not by address: the request proves itself (a survey vote carries its one-time code, whose
    /// wrong tries are counted per code).
    case proven
}

extension RoutesBuilder {
    /// Registers a route with the roles it admits. Every route in OneStop goes through here, and
    /// the role × route test fails on any that does not.
    @discardableResult
    func endpoint<R: AsyncResponseEncodable>(
        _ method: HTTPMethod, _ path: PathComponent..., access: Access, operation: APIOperation? = nil,
        body: HTTPBodyStreamStrategy = .collect,
        use handler: @escaping @Sendable (Request) async throws -> R
    ) -> Route {
        endpoint(method, path, access: access, operation: operation, body: body, use: handler)
    }

    /// The same, for a `Content` answer.
    @discardableResult
    func endpoint<R: Content>(
        _ method: HTTPMethod, _ path: PathComponent..., access: Access, operation: APIOperation? = nil,
        body: HTTPBodyStreamStrategy = .collect,
        use handler: @escaping @Sendable (Request) async throws -> R
    ) -> Route {
        endpoint(method, path, access: access, operation: operation, body: body, use: handler)
    }

    /// An API answer of a `Content` value, the path built as a list: encoded as JSON without
    /// Vapor's look-ups of the content type and its coder (`APIJSON`).
    @discardableResult
    func endpoint<R: Content>(
        _ method: HTTPMethod, _ path: [PathComponent], access: Access, operation: APIOperation? = nil,
        body: HTTPBodyStreamStrategy = .collect,
        use handler: @escaping @Sendable (Request) async throws -> R
    ) -> Route {
        endpoint(method, path, access: access, operation: operation, body: body) { req -> Response in
            try await APIJSON.response(try await handler(req), for: req)
        }
    }

    /// The same, with the path built as a list.
    @discardableResult
    func endpoint<R: AsyncResponseEncodable>(
        _ method: HTTPMethod, _ path: [PathComponent], access: Access, operation: APIOperation? = nil,
        body: HTTPBodyStreamStrategy = .collect,
        use handler: @escaping @Sendable (Request) async throws -> R
    ) -> Route {
        let route = grouped(AccessGuard(access: access, operation: operation)).on(method, path, body: body, use: handler)
        route.userInfo[RouteInfoKey.access] = access
        if let operation { route.userInfo[RouteInfoKey.operation] = operation }
        return route
    }
}

extension Route {
    var access: Access? { userInfo[RouteInfoKey.access] as? Access }
    var operation: APIOperation? { userInfo[RouteInfoKey.operation] as? APIOperation }
    var publicLimit: PublicLimit { userInfo[RouteInfoKey.publicLimit] as? PublicLimit ?? .forms }

    /// Sets how a public change of this route is limited per address.
    @discardableResult
    func limited(_ limit: PublicLimit) -> Route {
        userInfo[RouteInfoKey.publicLimit] = limit
        return self
    }
    var pathString: String { "/" + path.map(\.description).joined(separator: "/") }
}
