import Foundation
import OneStopCore
import Vapor

/// The item edit form: its fields, and the conversions between the form's strings, `ItemInput`
/// and a stored guide. Lists are text boxes in the line forms of `ItemText`.
enum ItemForm {
    static func input(_ f: FormValues) -> ItemInput {
        func n(_ k: String) -> Int? { f[k].map { Int($0) ?? -1 } }
        var i = ItemInput()
        i.departmentID = f["departmentID"]
        i.code = f["code"]
        i.name = f["name"]
        i.parentCode = f["parentCode"]
        i.type = f["type"]
        i.tier = f["tier"]
        i.handlingKind = f["handlingKind"]
        i.exerciseLevel = f["exerciseLevel"]
        i.caseType = f["caseType"]
        i.legalDays = n("legalDays")
        i.promisedDays = n("promisedDays")
        i.feeFree = f.flag("feeFree")
        i.feeStandard = f["feeStandard"]
        i.feeBasis = f["feeBasis"]
        i.basis = f.values["basis"]
        i.conditions = f.values["conditions"]
        i.materials = ItemText.materials(f.values["materials"])
        i.steps = ItemText.steps(f.values["steps"])
        i.specialProcedures = ItemText.special(f.values["specialProcedures"])
        i.officeHours = f["officeHours"]
        i.consultPhone = f["consultPhone"]
        i.supervisePhone = f["supervisePhone"]
        i.visits = n("visits")
        i.onlineApplication = f.flag("onlineApplication")
        i.theme = f["theme"]
        i.keywords = ItemText.keywords(f["keywords"])
        i.windowNumbers = ItemText.windows(f["windowNumbers"])
        i.result = f["result"]
        return i
    }

    static func values(_ g: ItemGuide, departmentID: UUID) -> FormValues {
        var v: [String: String] = [
            "departmentID": departmentID.uuidString, "code": g.code, "name": g.name, "parentCode": g.parentCode ?? "",
            "type": g.type.rawValue, "tier": g.tier.rawValue, "handlingKind": g.handlingKind?.rawValue ?? "",
            "exerciseLevel": g.exerciseLevel.rawValue, "caseType": g.caseType.rawValue, "legalDays": String(g.legalDays),
            "promisedDays": String(g.promisedDays), "feeStandard": g.fee.standard ?? "", "feeBasis": g.fee.basis ?? "", "basis": g.basis,
            "conditions": g.conditions, "materials": ItemText.materialsText(g.materials), "steps": g.steps.joined(separator: "\n"),
            "specialProcedures": ItemText.specialText(g.specialProcedures), "officeHours": g.officeHours, "consultPhone": g.consultPhone,
            "supervisePhone": g.supervisePhone, "visits": String(g.visits), "theme": g.theme.rawValue,
            "keywords": g.keywords.joined(separator: "，"), "windowNumbers": g.windowNumbers.map(String.init).joined(separator: ","),
            "result": g.result ?? "",
        ]
        if g.fee.free { v["feeFree"] = "on" }
        if g.onlineApplication { v["onlineApplication"] = "on" }
        return FormValues(v)
    }

    static func termOptions<T: CatalogTerm>(_ req: Request, _ type: T.Type, selected: String?, none: Bool = false) -> [FormView.Option] {
        var out: [FormView.Option] = none ? [.init(value: "", label: req.t("option.none"), selected: (selected ?? "").isEmpty)] : []
        for c in T.allCases {
            out.append(
                .init(
                    value: c.rawValue, label: req.language == .zh ? c.chineseName : req.t("term.\(c.rawValue)"),
                    selected: c.rawValue == selected))
        }
        return out
    }

    static func fields(_ req: Request, _ v: FormValues, departments: [FormView.Option]) -> [FormView.Field] {
        [
            .select(req, "departmentID", departments, required: true),
            .text(req, "code", v, required: true, max: 40, hint: req.t("hint.itemCode")),
            .text(req, "name", v, required: true, max: 100),
            .select(req, "tier", termOptions(req, ItemTier.self, selected: v["tier"] ?? "main"), required: true),
            .text(req, "parentCode", v, max: 40, hint: req.t("hint.parentCode")),
            .select(req, "handlingKind", termOptions(req, HandlingKind.self, selected: v["handlingKind"], none: true)),
            .select(req, "type", termOptions(req, ItemType.self, selected: v["type"]), required: true),
            .select(req, "exerciseLevel", termOptions(req, ExerciseLevel.self, selected: v["exerciseLevel"] ?? "county"), required: true),
            .select(req, "caseType", termOptions(req, CaseType.self, selected: v["caseType"] ?? "promised"), required: true),
            .text(req, "legalDays", v, required: true, type: "number", hint: req.t("hint.workingDays")),
            .text(req, "promisedDays", v, required: true, type: "number", hint: req.t("hint.promisedDays")),
            .checkbox(req, "feeFree", v),
            .text(req, "feeStandard", v, max: 500, hint: req.t("hint.feeWhenCharged")),
            .text(req, "feeBasis", v, max: 500),
            .text(req, "basis", v, required: true, max: 2000, type: "textarea"),
            .text(req, "conditions", v, required: true, max: 4000, type: "textarea"),
            .text(req, "materials", v, type: "textarea", hint: req.t("hint.materials")),
            .text(req, "steps", v, required: true, type: "textarea", hint: req.t("hint.steps")),
            .text(req, "specialProcedures", v, type: "textarea", hint: req.t("hint.specialProcedures")),
            .text(req, "officeHours", v, required: true, max: 200),
            .text(req, "consultPhone", v, required: true, type: "tel"),
            .text(req, "supervisePhone", v, required: true, type: "tel"),
            .text(req, "visits", v, required: true, type: "number"),
            .checkbox(req, "onlineApplication", v),
            .select(req, "theme", termOptions(req, ItemTheme.self, selected: v["theme"] ?? "personal"), required: true),
            .text(req, "keywords", v, hint: req.t("hint.keywords")),
            .text(req, "windowNumbers", v, hint: req.t("hint.windowNumbers")),
            .text(req, "result", v, max: 60, hint: req.t("hint.result")),
        ]
    }
}
