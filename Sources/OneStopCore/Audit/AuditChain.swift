import Foundation

/// 审计日志 — the append-only, hash-chained audit log of DOMAIN.md §5.
///
/// Each entry's hash covers its own fields and the hash of the entry before it, so editing or
/// deleting any row breaks every link after it. The digest function is injected: the server
/// passes SHA-256 (hex), or SM3 (`sm3:` and hex) when 国密 is chosen (`CryptoSuite`).
public struct AuditRecord: Sendable, Equatable {
    public var sequence: Int64
    /// Milliseconds since 1970, so every database round-trips it exactly.
    public var occurredAtMillis: Int64
    public var actor: String
    public var action: String
    public var entityType: String
    public var entityID: String
    public var centerID: String
    public var detail: String
    public var previousHash: String
    public var hash: String

    public init(
        sequence: Int64, occurredAtMillis: Int64, actor: String, action: String, entityType: String,
        entityID: String, centerID: String, detail: String, previousHash: String, hash: String = ""
    ) {
        self.sequence = sequence
        self.occurredAtMillis = occurredAtMillis
        self.actor = actor
        self.action = action
        self.entityType = entityType
        self.entityID = entityID
        self.centerID = centerID
        self.detail = detail
        self.previousHash = previousHash
        self.hash = hash
    }

    /// The exact bytes that are hashed: fields joined by a separator that cannot occur in them
    /// unescaped, so two different records never share a canonical form.
    public var canonicalForm: String {
        [
            String(sequence), String(occurredAtMillis), actor, action, entityType, entityID, centerID,
            detail, previousHash,
        ]
        .map(Self.escaped).joined(separator: "|")
    }

    /// A field with `\` and `|` escaped by a backslash, so that fields cannot run into each other.
    static func escaped(_ field: String) -> String {
        guard field.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "|") }) else { return field }
        var out = String.UnicodeScalarView()
        for c in field.unicodeScalars {
            if c == "\\" || c == "|" { out.append("\\") }
            out.append(c)
        }
        return String(out)
    }
}

public enum AuditChain {
    /// The previous hash of the very first entry.
    public static let genesis = String(repeating: "0", count: 64)

    public enum Break: Equatable, Sendable {
        /// A row's own hash does not match its content: it was edited.
        case altered(sequence: Int64)
        /// A row does not point at the hash of the row before it: something between was removed
        /// or the row was moved.
        case unlinked(sequence: Int64)
        /// Sequence numbers jump: rows were deleted.
        case gap(after: Int64, next: Int64)
        /// The chain ends before the head the log recorded: its newest rows were deleted.
        case truncated(lastFound: Int64, expected: Int64)
    }

    public static func seal(_ record: AuditRecord, digest: (String) -> String) -> AuditRecord {
        var r = record
        r.hash = digest(record.canonicalForm)
        return r
    }

    /// Checks records in sequence order, continuing from `previous` (the last verified record of
    /// an earlier batch, if any). Returns the first break found.
    public static func verify(
        _ records: [AuditRecord], after previous: (sequence: Int64, hash: String)? = nil,
        digest: (String) -> String
    ) -> Break? {
        verify(records, after: previous) { text, _ in digest(text) }
    }

    /// The same, for a chain whose entries may use different digests (SHA-256, then SM3 once 国密
    /// was chosen): `digest` is given the stored hash too, whose form says which was used.
    public static func verify(
        _ records: [AuditRecord], after previous: (sequence: Int64, hash: String)? = nil,
        digest: (_ text: String, _ stored: String) -> String
    ) -> Break? {
        var prevHash = previous?.hash ?? genesis
        var prevSeq = previous?.sequence ?? 0
        for r in records {
            if r.sequence != prevSeq + 1 { return .gap(after: prevSeq, next: r.sequence) }
            if digest(r.canonicalForm, r.hash) != r.hash { return .altered(sequence: r.sequence) }
            if r.previousHash != prevHash { return .unlinked(sequence: r.sequence) }
            prevHash = r.hash
            prevSeq = r.sequence
        }
        return nil
    }
}
