import Vapor

/// What the middlewares read of every request's head, read cheaply. Vapor's `url.path` goes
/// through URLComponents and a Foundation string replacement on every call, and
/// `headers.contentType` parses the header into an `HTTPMediaType` on every call; in a profile of
/// the hall-day bench the two came to 2.3 % and 2.6 % of the server's CPU, most of it from the
/// middlewares asking again for each request.
extension Request {
    private struct PathKey: StorageKey { typealias Value = String }

    /// `url.path`, worked out once per request.
    var urlPath: String {
        if let path = storage[PathKey.self] { return path }
        let path = url.path
        storage[PathKey.self] = path
        return path
    }
}

extension HTTPHeaders {
    /// Whether the body is declared JSON: `application/json`, in any case, with any parameters,
    /// as `contentType == .json` says, without parsing the header into a media type.
    var declaresJSON: Bool {
        guard let raw = first(name: .contentType) else { return false }
        var bytes = raw.utf8[...]
        if let semicolon = bytes.firstIndex(of: UInt8(ascii: ";")) { bytes = bytes[..<semicolon] }
        while let last = bytes.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") { bytes = bytes.dropLast() }
        while let first = bytes.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") { bytes = bytes.dropFirst() }
        let json = "application/json".utf8
        guard bytes.count == json.count else { return false }
        return zip(bytes, json).allSatisfy { a, b in (a | 0x20) == b || a == b }
    }
}

/// JSON in and out of the API without Vapor's per-request look-ups: `content.decode` and a
/// `Content` answer each parse the content type and find the coder for it in the global
/// configuration's dictionary of media types (about 2 % of the server's CPU in a hall-day
/// profile). The coders are the ones that configuration holds for JSON, so the bytes are the same.
enum APIJSON {
    static let encoder = JSONEncoder.custom(dates: .iso8601)
    static let decoder = JSONDecoder.custom(dates: .iso8601)
    /// What Vapor's JSON encoder writes as the content type.
    static let contentType = HTTPMediaType.json.serialize()

    /// A `Content` value as the response Vapor would make of it (200). Only a JSON value takes
    /// the short way: one whose own type is another (a `String` is plain text) goes Vapor's.
    static func response<T: Content>(_ value: T, for req: Request) async throws -> Response {
        guard T.defaultContentType == .json else { return try await value.encodeResponse(for: req) }
        var headers = HTTPHeaders()
        headers.add(name: .contentType, value: contentType)
        return Response(status: .ok, headers: headers, body: .init(data: try encoder.encode(value)))
    }
}

extension Request {
    /// `content.decode(T.self)`, reading a JSON body straight through the JSON decoder; any other
    /// body (a form, none at all) goes the usual way, with the usual errors.
    func decodeJSON<T: Decodable>(_ type: T.Type) throws -> T {
        if headers.declaresJSON, let body = body.data {
            return try APIJSON.decoder.decode(T.self, from: body)
        }
        return try content.decode(T.self)
    }
}
