import Fluent
import Foundation
import NIOConcurrencyHelpers
import OneStopCore
import SQLKit
import Vapor

/// What one state change wrote, for the audit log.
struct AuditEvent: Sendable {
    var action: String
    var entityType: String
    var entityID: String
    var centerID: String
    var detail: String

    init(_ action: String, _ entityType: String, id: UUID?, center: UUID?, detail: [String: String] = [:]) {
        self.action = action
        self.entityType = entityType
        self.entityID = id?.uuidString.lowercased() ?? ""
        self.centerID = center?.uuidString.lowercased() ?? ""
        self.detail = AuditEvent.encode(detail)
    }

    /// Sorted-key JSON, so the same change always reads the same way.
    static func encode(_ detail: [String: String]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(detail)).flatMap { String(data: $0, encoding: .utf8) } ?? "{}"
    }
}

/// Runs a state change and its audit entries in one transaction.
///
/// The transaction starts by locking the chain head (a write, so SQLite takes its write lock at
/// once and PostgreSQL orders concurrent writers by the row lock), then runs the change, then
/// appends one chained entry per event and moves the head.
enum AuditedWrite {
    static func run<T: Sendable>(
        on db: any Database, gate: WriteGate, actor: String, now: Date,
        _ body: @escaping @Sendable (any Database) async throws -> (T, [AuditEvent])
    ) async throws -> T {
        try await gate.withGate {
            try await db.transaction { tx in
                let head = try await lockHead(tx)
                let (result, events) = try await body(tx)
                let millis = Int64((now.timeIntervalSince1970 * 1000).rounded(.down))
                try await append(events.map { (actor, millis, $0) }, after: head, on: tx)
                return result
            }
        }
    }

    /// Where the chain ends: the last sequence number and its hash.
    struct Head: Sendable, Decodable {
        var seq: Int64
        var hash: String
    }

    /// Locks the chain head (a write, so SQLite takes its write lock at once and PostgreSQL orders
    /// concurrent writers by the row lock) and reads it, in one statement.
    static func lockHead(_ tx: any Database) async throws -> Head {
        guard let sql = tx as? any SQLDatabase else { throw Abort(.internalServerError) }
        guard let head = try await sql.raw("UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash").first(decoding: Head.self)
        else { throw Abort(.internalServerError, reason: "audit head missing") }
        return head
    }

    /// Appends chained entries after `head` and moves the head, inside the caller's transaction.
    /// Plain SQL: a batch of queue actions appends dozens of entries at a time.
    static func append(
        _ events: [(actor: String, millis: Int64, event: AuditEvent)], after head: Head, on tx: any Database
    )
        async throws
    {
        guard !events.isEmpty, let sql = tx as? any SQLDatabase else { return }
        var seq = head.seq
        var prev = head.hash
        let suite = Digest.suite
        var rows: [[any SQLExpression]] = []
        rows.reserveCapacity(events.count)
        for (actor, millis, e) in events {
            seq += 1
            let record = AuditChain.seal(
                AuditRecord(
                    sequence: seq, occurredAtMillis: millis, actor: actor, action: e.action, entityType: e.entityType,
                    entityID: e.entityID, centerID: e.centerID, detail: e.detail, previousHash: prev),
                digest: { Digest.auditHash($0, suite: suite) })
            rows.append([
                SQLBind(seq), SQLBind(millis), SQLBind(actor), SQLBind(e.action), SQLBind(e.entityType), SQLBind(e.entityID),
                SQLBind(e.centerID), SQLBind(e.detail), SQLBind(prev), SQLBind(record.hash),
            ])
            prev = record.hash
        }
        // Many entries (an import) go in multi-row inserts, well under both databases' limits on
        // bound parameters.
        try await SQLRows.insert(
            into: "audit_entries", columns: "seq, at_ms, actor, action, entity_type, entity_id, center_id, detail, prev_hash, hash", rows,
            on: tx)
        try await sql.raw("UPDATE audit_head SET seq = \(bind: seq), hash = \(bind: prev) WHERE id = 1").run()
    }
}

extension Request {
    /// An audited state change made by the signed-in principal (or `system` before sign-in).
    /// `defers`: its new rows may wait to go in with the batch's others (`RowBuffer`).
    func audited<T: Sendable>(
        needs: (any Sendable)? = nil, defers: Bool = false, _ body: @escaping @Sendable (any Database) async throws -> (T, [AuditEvent])
    ) async throws -> T {
        // If it moved the catalog generation, the next public read on this instance looks at the
        // generation again (see CatalogStore.generation); a change to a user or a device empties
        // the token cache, and one to a center the cached center tree.
        let touched = NIOLockedValueBox<(tokens: Bool, centers: Bool)>((false, false))
        let catalog = CatalogStore.Marker()
        let app = application
        defer {
            if catalog.bumped { app.catalogStore.writeFinished() }
            let t = touched.withLockedValue { $0 }
            if t.tokens { app.tokenCache.clear() }
            if t.centers { app.centerTrees.clear() }
        }
        return try await app.groupCommit.run(actor: principal?.auditName ?? "anonymous", now: now, needs: needs, defers: defers) { db in
            let (value, events) = try await CatalogStore.$marker.withValue(catalog) { try await body(db) }
            if !events.isEmpty {
                let t = (TokenCache.invalidates(events), events.contains { $0.entityType == "center" })
                if t.0 || t.1 { touched.withLockedValue { $0 = (t.0 || $0.tokens, t.1 || $0.centers) } }
            }
            return (value, events)
        }
    }
}

extension Application {
    private struct GateKey: StorageKey { typealias Value = WriteGate }
    private struct GroupCommitKey: StorageKey { typealias Value = GroupCommit }

    /// Set in `configure`, after the database and the write gate.
    var groupCommit: GroupCommit {
        get { storage[GroupCommitKey.self]! }
        set { storage[GroupCommitKey.self] = newValue }
    }

    var writeGate: WriteGate {
        get { storage[GateKey.self] ?? WriteGate(enabled: false) }
        set { storage[GateKey.self] = newValue }
    }
}

extension AuditEntryModel {
    var record: AuditRecord {
        AuditRecord(
            sequence: id ?? 0, occurredAtMillis: atMillis, actor: actor, action: action, entityType: entityType,
            entityID: entityID, centerID: centerID, detail: detail, previousHash: previousHash, hash: hash)
    }
}

/// Walks the whole log in batches and reports the first broken link.
enum AuditVerifier {
    static func verify(on db: any Database, batch: Int = 5000) async throws -> (checked: Int64, problem: AuditChain.Break?) {
        var last: (sequence: Int64, hash: String)? = nil
        var checked: Int64 = 0
        while true {
            var q = AuditEntryModel.query(on: db).sort(\.$id).limit(batch)
            if let l = last { q = q.filter(\.$id > l.sequence) }
            let rows = try await q.all()
            if rows.isEmpty { break }
            if let problem = AuditChain.verify(rows.map(\.record), after: last, digest: Digest.auditHash(_:like:)) {
                return (checked, problem)
            }
            checked += Int64(rows.count)
            last = (rows.last!.id!, rows.last!.hash)
        }
        if let head = try await AuditHeadModel.find(1, on: db) {
            let found = last?.sequence ?? 0
            if head.sequence != found { return (checked, .truncated(lastFound: found, expected: head.sequence)) }
            if let l = last, l.hash != head.hash { return (checked, .altered(sequence: l.sequence)) }
        }
        return (checked, nil)
    }
}
