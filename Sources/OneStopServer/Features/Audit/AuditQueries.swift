import Fluent
import Foundation
import OneStopCore
import Vapor

struct AuditEntryDTO: Content {
    var sequence: Int64
    var at: Date
    var actor: String
    var action: String
    var entityType: String
    var entityID: String
    var centerID: String
    var detail: String
    var hash: String

    init(_ m: AuditEntryModel) {
        sequence = m.id ?? 0
        at = Date(timeIntervalSince1970: Double(m.atMillis) / 1000)
        actor = m.actor
        action = m.action
        entityType = m.entityType
        entityID = m.entityID
        centerID = m.centerID
        detail = m.detail
        hash = m.hash
    }
}

struct AuditPage: Content {
    var entries: [AuditEntryDTO]
    /// Pass as `before` to get the next (older) page; absent on the last page.
    var nextBefore: Int64?
}

/// Filters for browsing the log. Everyone sees only entries of centers in their scope (entries
/// with no center, such as sign-ins of top-level accounts, only at the top).
struct AuditFilter: Sendable {
    var action: String?
    var entityType: String?
    var actor: String?
    var centerID: UUID?
    var from: CivilDate?
    var to: CivilDate?
    var before: Int64?
    var limit: Int = 50

    init(from req: Request) throws {
        var errors: [FieldError] = []
        func text(_ k: String) -> String? {
            guard let v = req.query[String.self, at: k]?.trimmingCharacters(in: .whitespaces), !v.isEmpty else { return nil }
            return v
        }
        action = text("action")
        entityType = text("entityType")
        actor = text("actor")
        centerID = parseUUID(text("centerID"), field: "centerID", errors: &errors)
        if let f = text("from") { from = CivilDate(f); if from == nil { errors.append(FieldError("from", "date")) } }
        if let t = text("to") { to = CivilDate(t); if to == nil { errors.append(FieldError("to", "date")) } }
        if let b = text("before") { before = Int64(b); if before == nil { errors.append(FieldError("before", "number")) } }
        if let l = text("limit") {
            if let n = Int(l), (1...500).contains(n) { limit = n } else { errors.append(FieldError("limit", "audit.limitRange")) }
        }
        if !errors.isEmpty { throw ValidationFailure(errors) }
    }

    func page(for scope: Scope, on db: any Database) async throws -> AuditPage {
        var q = AuditEntryModel.query(on: db).sort(\.$id, .descending).limit(limit + 1)
        var centers = scope.centers.map { $0.uuidString.lowercased() }
        if scope.tree.nodes[scope.principal.centerID]?.parentID == nil { centers.append("") }
        if let c = centerID {
            guard scope.contains(c) else { throw Abort(.forbidden) }
            centers = [c.uuidString.lowercased()]
        }
        q = q.filter(\.$centerID ~~ centers)
        if let action { q = q.filter(\.$action == action) }
        if let entityType { q = q.filter(\.$entityType == entityType) }
        if let actor { q = q.filter(\.$actor == actor) }
        let zone = TimeZone(identifier: "Asia/Shanghai")!
        if let from { q = q.filter(\.$atMillis >= Self.millis(from, zone)) }
        if let to { q = q.filter(\.$atMillis < Self.millis(to.adding(days: 1), zone)) }
        if let before { q = q.filter(\.$id < before) }
        let rows = try await q.all()
        let entries = rows.prefix(limit).map(AuditEntryDTO.init)
        return AuditPage(entries: Array(entries), nextBefore: rows.count > limit ? entries.last?.sequence : nil)
    }

    static func millis(_ d: CivilDate, _ zone: TimeZone) -> Int64 {
        Int64(d.dayNumber) * 86_400_000 - Int64(zone.secondsFromGMT()) * 1000
    }
}

enum AuditAPIController {
    static func register(_ api: any RoutesBuilder) {
        api.endpoint(
            .GET, "audit", access: .adminsAndSupervisors,
            operation: .init(
                id: "listAuditEntries", summary: "Browse the audit log, newest first", tag: "Audit", response: "AuditPage",
                query: ["action", "entityType", "actor", "centerID", "from", "to", "before", "limit"].map {
                    .init(name: $0, type: $0 == "before" || $0 == "limit" ? "integer" : "string")
                })
        ) { req in
            try await AuditFilter(from: req).page(for: req.scope(), on: req.db)
        }
        api.endpoint(
            .GET, "audit", "verify", access: .adminsAndSupervisors,
            operation: .init(
                id: "verifyAuditChain", summary: "Check every link of the audit chain", tag: "Audit", response: "AuditVerification")
        ) { req in
            let (checked, problem) = try await AuditVerifier.verify(on: req.db)
            return AuditVerification(
                checked: checked, intact: problem == nil,
                problem: problem.map { describe($0, catalog: req.application.catalog, req.language) })
        }
    }

    /// The first broken link, in words: `lang` picks the catalog language.
    static func describe(_ b: AuditChain.Break, catalog: MessageCatalog, _ lang: Language) -> String {
        switch b {
        case .altered(let s): catalog.text("audit.break.altered", lang, ["seq": String(s)])
        case .unlinked(let s): catalog.text("audit.break.unlinked", lang, ["seq": String(s)])
        case .gap(let a, let n): catalog.text("audit.break.gap", lang, ["after": String(a), "next": String(n)])
        case .truncated(let last, let expected):
            catalog.text("audit.break.truncated", lang, ["last": String(last), "expected": String(expected)])
        }
    }
}

struct AuditVerification: Content {
    var checked: Int64
    var intact: Bool
    var problem: String?
}
