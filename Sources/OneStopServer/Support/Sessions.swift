import Fluent
import Foundation
import Vapor

/// A browser session as stored: the cookie's value only as its SHA-256 (a copy of the table
/// signs no one in), the data, and when it was last written, by which expired sessions are purged
/// (`Housekeeping`).
final class SessionRow: Model, @unchecked Sendable {
    static let schema = "_fluent_sessions"

    @ID(key: .id) var id: UUID?
    /// SHA-256 of the cookie's value, hex.
    @Field(key: "key") var key: SessionID
    @Field(key: "data") var data: SessionData
    /// Seconds since 1970 of the last write; a signed-in session is written at least once a
    /// minute while it is used (its idle clock).
    @Field(key: "touched_at") var touchedAt: Double
    @Field(key: "signed_in") var signedIn: Bool

    init() {}
}

/// The session driver: sessions in the database under the hash of their id, and a response whose
/// session data did not change does not write the row again (Vapor's middleware updates the
/// session on every response; without this, every signed-in page view would be a write).
struct StoredSessions: SessionDriver {
    private struct ReadKey: StorageKey { typealias Value = SessionData }

    static func key(_ id: SessionID) -> SessionID { SessionID(string: Digest.sha256Hex(id.string)) }

    func createSession(_ data: SessionData, for request: Request) -> EventLoopFuture<SessionID> {
        let id = SessionID(string: Digest.randomToken(bytes: 32))
        let row = SessionRow()
        row.key = Self.key(id)
        row.data = data
        row.touchedAt = request.now.timeIntervalSince1970
        row.signedIn = data["uid"] != nil
        return row.create(on: request.db).map { id }
    }

    func readSession(_ sessionID: SessionID, for request: Request) -> EventLoopFuture<SessionData?> {
        SessionRow.query(on: request.db).filter(\.$key == Self.key(sessionID)).first().map { row in
            guard let data = row?.data else { return nil }
            request.storage[ReadKey.self] = data
            return data
        }
    }

    func updateSession(_ sessionID: SessionID, to data: SessionData, for request: Request) -> EventLoopFuture<SessionID> {
        if let read = request.storage[ReadKey.self], read == data { return request.eventLoop.makeSucceededFuture(sessionID) }
        return SessionRow.query(on: request.db).filter(\.$key == Self.key(sessionID)).set(\.$data, to: data)
            .set(\.$touchedAt, to: request.now.timeIntervalSince1970).set(\.$signedIn, to: data["uid"] != nil)
            .update().map { sessionID }
    }

    func deleteSession(_ sessionID: SessionID, for request: Request) -> EventLoopFuture<Void> {
        SessionRow.query(on: request.db).filter(\.$key == Self.key(sessionID)).delete()
    }
}
