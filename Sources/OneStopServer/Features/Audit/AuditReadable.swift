import Fluent
import Foundation
import OneStopCore
import Vapor

/// Audit entries as a person reads them: who (by name), what (in the viewer's language) and to
/// what (a case by its number, a window by its number and name…), with the raw entry kept for
/// anyone who needs the codes.
enum AuditReadable {
    struct Row: Encodable {
        var sequence: Int64
        var at: String
        var actor: String
        var action: String
        var target: String
        /// Readable pairs of the detail (reason, state change…).
        var facts: [String]
        /// The entry as stored: actor, action code, object and detail JSON.
        var raw: String
    }

    static func rows(_ entries: [AuditEntryDTO], req: Request) async throws -> [Row] {
        let catalog = req.application.catalog
        let names = try await Names.load(for: entries, on: req.db)
        let formatter = DateFormatter()
        formatter.timeZone = HallClock.zone
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return entries.map { e in
            let detail = (try? JSONDecoder().decode([String: String].self, from: Data(e.detail.utf8))) ?? [:]
            return Row(
                sequence: e.sequence, at: formatter.string(from: e.at), actor: actor(e.actor, names: names, req: req),
                action: action(e.action, catalog: catalog, req: req),
                target: target(e, detail: detail, names: names, req: req), facts: facts(detail, req: req),
                raw: "\(e.actor) · \(e.action) · \(e.entityType) \(e.entityID)\n\(e.detail)")
        }
    }

    /// `user:admin` as the account's name; the system and anonymous visitors in words.
    static func actor(_ raw: String, names: Names, req: Request) -> String {
        if raw == "system" || raw.hasPrefix("system:") { return req.t("audit.actor.system") }
        if raw.isEmpty || raw == "anonymous" { return req.t("audit.actor.anonymous") }
        if raw.hasPrefix("user:") {
            let username = String(raw.dropFirst(5))
            if let name = names.users[username], name != username { return "\(name)（\(username)）" }
            return username
        }
        if raw.hasPrefix("device:") { return req.t("audit.entity.device") + " " + raw.dropFirst(7) }
        return raw
    }

    /// The action's phrase; a case's actions by their names on the case page; else the code.
    static func action(_ code: String, catalog: MessageCatalog, req: Request) -> String {
        if catalog.has("audit.do.\(code)") { return req.t("audit.do.\(code)") }
        if code.hasPrefix("case."), catalog.has("case.action.\(code.dropFirst(5))") { return req.t("case.action.\(code.dropFirst(5))") }
        return code
    }

    static func target(_ e: AuditEntryDTO, detail: [String: String], names: Names, req: Request) -> String {
        // Signing in and out: the actor is the object.
        if e.action.hasPrefix("auth."), e.entityType == "user" { return "" }
        let kind = req.application.catalog.has("audit.entity.\(e.entityType)") ? req.t("audit.entity.\(e.entityType)") : e.entityType
        let id = e.entityID.lowercased()
        let name =
            detail["number"] ?? names.entities[id] ?? detail["code"] ?? detail["name"] ?? detail["date"] ?? String(e.entityID.prefix(8))
        return name.isEmpty ? kind : "\(kind) \(name)"
    }

    /// The detail's most telling fields in words: a state change, the reason, a notice.
    static func facts(_ d: [String: String], req: Request) -> [String] {
        var out: [String] = []
        if let from = d["from"], let to = d["to"] {
            func state(_ s: String) -> String {
                req.application.catalog.has("case.state.\(s)") ? req.t("case.state.\(s)") : s
            }
            out.append("\(state(from)) → \(state(to))")
        }
        let catalog = req.application.catalog
        for key in ["reason", "notice", "via", "class", "text"] {
            guard var v = d[key], !v.isEmpty else { continue }
            if key == "class", catalog.has("queue.class.\(v)") { v = req.t("queue.class.\(v)") }
            if key == "via", catalog.has("audit.via.\(v)") { v = req.t("audit.via.\(v)") }
            out.append(req.t("audit.fact.\(key)") + req.t("punct.colon") + v)
        }
        return out
    }

    /// The names of the accounts and objects the entries refer to, read at once.
    struct Names {
        var users: [String: String] = [:]
        /// By lower-case id.
        var entities: [String: String] = [:]

        static func load(for entries: [AuditEntryDTO], on db: any Database) async throws -> Names {
            var n = Names()
            let usernames = Set(entries.compactMap { $0.actor.hasPrefix("user:") ? String($0.actor.dropFirst(5)) : nil })
            if !usernames.isEmpty {
                for u in try await UserModel.query(on: db).filter(\.$username ~~ usernames).all() { n.users[u.username] = u.displayName }
            }
            func ids(_ type: String) -> [UUID] {
                Array(Set(entries.filter { $0.entityType == type }.compactMap { UUID(uuidString: $0.entityID) }))
            }
            func add(_ pairs: [(UUID?, String)]) { for (id, name) in pairs { if let id { n.entities[id.uuidString.lowercased()] = name } } }
            if !ids("user").isEmpty {
                add(try await UserModel.query(on: db).filter(\.$id ~~ ids("user")).all().map { ($0.id, $0.displayName) })
            }
            if !ids("center").isEmpty {
                add(try await CenterModel.query(on: db).filter(\.$id ~~ ids("center")).all().map { ($0.id, $0.name) })
            }
            if !ids("department").isEmpty {
                add(try await DepartmentModel.query(on: db).filter(\.$id ~~ ids("department")).all().map { ($0.id, $0.name) })
            }
            if !ids("window").isEmpty {
                add(try await WindowModel.query(on: db).filter(\.$id ~~ ids("window")).all().map { ($0.id, "\($0.number) · \($0.name)") })
            }
            if !ids("item").isEmpty {
                add(try await ServiceItemModel.query(on: db).filter(\.$id ~~ ids("item")).all().map { ($0.id, "\($0.code) \($0.name)") })
            }
            if !ids("staff").isEmpty {
                add(try await StaffModel.query(on: db).filter(\.$id ~~ ids("staff")).all().map { ($0.id, $0.name) })
            }
            return n
        }
    }
}
