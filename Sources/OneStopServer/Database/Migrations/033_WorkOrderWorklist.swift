import Fluent
import SQLKit

/// A department's worklist reads its orders by time left whatever their state
/// (`WorkOrderService.list`), which `work_orders_department_due` (department, state, due) cannot
/// give in order: with 1,000,000 open orders each page sorted a department's ~83,000
/// (bench/workorders.py: p95 272 ms). This index walks them in order and stops at the page.
struct WorkOrderWorklist: AsyncMigration {
    var name: String { "033_WorkOrderWorklist" }

    func prepare(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.create(index: "work_orders_department_time").on("work_orders").column("department_id").column("due_at")
            .column("received_at").run()
    }

    func revert(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.drop(index: "work_orders_department_time").run()
    }
}
