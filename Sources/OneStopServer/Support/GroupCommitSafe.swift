import Fluent
import Foundation

/// A write inside `req.audited` may run twice: when another job of its group commit fails, the
/// transaction rolls back and the others run again (`GroupCommit.commit`). A model built before
/// the write then already counts as created (Fluent refuses to create it again), and one fetched
/// before it has no changes left to save (the second save would write nothing). These write a
/// fresh copy each time, so that a run again writes again.
extension Model {
    /// A copy of every field as not yet written (through the model's `Codable` form).
    func unsavedCopy() throws -> Self {
        try JSONDecoder().decode(Self.self, from: JSONEncoder().encode(self))
    }

    /// Inserts the model's row (its id, when the database makes one, is kept on the model).
    func storeNew(on db: any Database) async throws {
        let copy = try unsavedCopy()
        try await copy.create(on: db)
        id = copy.id
    }

    /// Saves as `save` does: a new row when the model was never written, else its changes.
    func store(on db: any Database) async throws {
        if _$idExists { try await storeChanges(on: db) } else { try await storeNew(on: db) }
    }

    /// Writes every field of the model to its existing row.
    func storeChanges(on db: any Database) async throws {
        let copy = try unsavedCopy()
        copy._$idExists = true
        try await copy.update(on: db)
    }
}
