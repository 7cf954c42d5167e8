import Fluent
import Foundation
import NIOConcurrencyHelpers
import OneStopCore
import Vapor

/// The tree of centers, loaded whole: a deployment has at most a few thousand centers, and every
/// scope decision needs the descendants of one of them.
struct CenterTree: Sendable {
    struct Node: Sendable {
        var id: UUID
        var parentID: UUID?
        var name: String
        var code: String
        var level: CenterLevel
    }

    let nodes: [UUID: Node]
    let children: [UUID: [UUID]]

    static func load(on db: any Database) async throws -> CenterTree {
        let rows = try await CenterModel.query(on: db).sort(\.$code).all()
        var nodes: [UUID: Node] = [:]
        var children: [UUID: [UUID]] = [:]
        for r in rows {
            guard let id = r.id else { continue }
            nodes[id] = Node(id: id, parentID: r.parentID, name: r.name, code: r.code, level: CenterLevel(rawValue: r.level) ?? .village)
            if let p = r.parentID { children[p, default: []].append(id) }
        }
        return CenterTree(nodes: nodes, children: children)
    }

    /// The center and everything below it.
    func subtree(_ root: UUID) -> Set<UUID> {
        var out: Set<UUID> = []
        var stack = [root]
        while let id = stack.popLast() {
            guard out.insert(id).inserted else { continue }
            stack.append(contentsOf: children[id] ?? [])
        }
        return out
    }

    /// Root first, the center itself last.
    func ancestry(_ id: UUID) -> [UUID] {
        var out: [UUID] = []
        var cur: UUID? = id
        while let c = cur, let node = nodes[c], !out.contains(c) {
            out.insert(c, at: 0)
            cur = node.parentID
        }
        return out
    }

    /// Depth-first order with depth, for indented lists and selects.
    func ordered(within scope: Set<UUID>? = nil) -> [(node: Node, depth: Int)] {
        var out: [(Node, Int)] = []
        func visit(_ id: UUID, _ depth: Int) {
            guard let n = nodes[id] else { return }
            if scope?.contains(id) ?? true { out.append((n, depth)) }
            for c in (children[id] ?? []).sorted(by: { nodes[$0]!.code < nodes[$1]!.code }) { visit(c, depth + 1) }
        }
        for root in nodes.values.filter({ $0.parentID == nil }).sorted(by: { $0.code < $1.code }) { visit(root.id, 0) }
        return out
    }
}

/// Refused because the center lies outside the caller's scope; answered as 403 in the caller's
/// language by the error responder.
struct OutsideScope: Error {}

/// What a principal may manage: its own center and every center below it.
struct Scope: Sendable {
    let tree: CenterTree
    let centers: Set<UUID>
    let principal: Principal

    static func of(_ principal: Principal, tree: CenterTree) -> Scope {
        // An applicant manages nothing, whatever center their account hangs under.
        Scope(tree: tree, centers: principal.role == .applicant ? [] : tree.subtree(principal.centerID), principal: principal)
    }

    func require(_ center: UUID?) throws {
        guard let center, centers.contains(center) else {
            throw OutsideScope()
        }
    }

    func contains(_ center: UUID) -> Bool { centers.contains(center) }
}

extension Request {
    private struct ScopeKey: StorageKey { typealias Value = Scope }

    /// The caller's scope, loaded once per request however many handlers and services ask.
    func scope() async throws -> Scope {
        if let s = storage[ScopeKey.self] { return s }
        let s = Scope.of(try requirePrincipal(), tree: try await application.centerTrees.tree(on: db))
        storage[ScopeKey.self] = s
        return s
    }
}

func parseUUID(_ text: String?, field: String, errors: inout [FieldError]) -> UUID? {
    guard let t = text?.trimmingCharacters(in: .whitespaces), !t.isEmpty else { return nil }
    guard let id = UUID(uuidString: t) else {
        errors.append(FieldError(field, "invalidReference"))
        return nil
    }
    return id
}

/// The center tree, read at most every `ttl` per instance: every scope decision needs it, and it
/// changes a few times a year. A change on this instance empties it at once (`Request.audited`);
/// one on another instance is seen within `ttl`.
final class CenterTreeCache: Sendable {
    static let ttl: UInt64 = 2_000_000_000
    private let cached = NIOLockedValueBox<(at: UInt64, epoch: Int, tree: CenterTree?)>((0, 0, nil))

    func tree(on db: any Database) async throws -> CenterTree {
        let now = DispatchTime.now().uptimeNanoseconds
        let (hit, epoch) = cached.withLockedValue { c -> (CenterTree?, Int) in
            (c.tree.flatMap { now &- c.at < Self.ttl ? $0 : nil }, c.epoch)
        }
        if let hit { return hit }
        let tree = try await CenterTree.load(on: db)
        // A change that finished while this read was under way may be missing from it: don't keep it.
        cached.withLockedValue { if $0.epoch == epoch { $0 = (now, epoch, tree) } }
        return tree
    }

    func clear() {
        cached.withLockedValue { $0 = (0, $0.epoch + 1, nil) }
    }
}

extension Application {
    private struct CenterTreeCacheKey: StorageKey { typealias Value = CenterTreeCache }

    /// Set in `configure`.
    var centerTrees: CenterTreeCache {
        get { storage[CenterTreeCacheKey.self]! }
        set { storage[CenterTreeCacheKey.self] = newValue }
    }
}
