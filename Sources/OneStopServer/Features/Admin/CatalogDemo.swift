import Fluent
import Foundation
import OneStopCore
import Vapor

/// The demo county's service catalog: generated items (main → sub → handling items) across its
/// departments with materials, limits and fees as a county center publishes them, life-event
/// bundles, commitments, and a few items delegated to a township. Invented, not copied.
enum CatalogDemo {
    struct Main {
        var name: String
        var sub: String
        var type: ItemType
        var caseType: CaseType
        var legal: Int
        var promised: Int
        var theme: ItemTheme
        var fee: String? = nil
        var materials: [String]
        var keywords: [String]
        var kinds: [HandlingKind] = [.new, .change, .renewal, .cancellation]
        var special: [(String, Int)] = []
        var online = true
        /// 审批结果名称: what the item issues, so that a later item of a bundle does not ask for it.
        var result: String? = nil
    }

    static let law: [String: String] = [
        "SCJG": "《中华人民共和国市场主体登记管理条例》《中华人民共和国食品安全法》",
        "GA": "《中华人民共和国居民身份证法》《中华人民共和国户口登记条例》",
        "SW": "《中华人民共和国税收征收管理法》及其实施细则",
        "RS": "《中华人民共和国社会保险法》《中华人民共和国就业促进法》",
        "ZR": "《不动产登记暂行条例》《中华人民共和国土地管理法》",
        "WJ": "《中华人民共和国医师法》《公共场所卫生管理条例》",
        "ZJ": "《中华人民共和国建筑法》《建筑工程施工许可管理办法》",
        "MZ": "《中华人民共和国民法典》《婚姻登记条例》《社会救助暂行办法》",
    ]

    static let catalog: [String: [Main]] = [
        "SCJG": [
            Main(
                name: "个体工商户登记", sub: "个体工商户设立登记", type: .licensing, caseType: .immediate, legal: 3, promised: 0, theme: .business,
                materials: ["个体工商户登记申请书", "经营者身份证件", "经营场所使用证明"], keywords: ["个体户", "营业执照", "开店"], result: "营业执照"),
            Main(
                name: "食品经营许可", sub: "食品经营许可证核发", type: .licensing, caseType: .promised, legal: 20, promised: 5, theme: .business,
                materials: ["食品经营许可申请书", "营业执照", "经营者身份证件", "与食品经营相适应的主要设备设施布局、操作流程等文件", "食品安全管理制度"],
                keywords: ["餐饮", "食品", "饭店", "小吃"], special: [("现场核查", 10)], result: "食品经营许可证"),
            Main(
                name: "企业登记", sub: "有限责任公司设立登记", type: .licensing, caseType: .promised, legal: 3, promised: 1, theme: .business,
                materials: ["公司登记（备案）申请书", "公司章程", "股东主体资格文件", "法定代表人、董事、监事和经理的任职文件", "住所使用证明"],
                keywords: ["公司", "营业执照", "企业开办"], result: "营业执照"),
            Main(
                name: "小餐饮登记", sub: "小餐饮经营许可（登记）", type: .licensing, caseType: .promised, legal: 10, promised: 3, theme: .business,
                materials: ["小餐饮登记申请表", "经营者身份证件", "健康证明", "经营场所使用证明"], keywords: ["小吃店", "餐饮", "食品"]),
            Main(
                name: "特种设备使用登记", sub: "压力容器使用登记", type: .licensing, caseType: .promised, legal: 15, promised: 5, theme: .business,
                materials: ["特种设备使用登记表", "产品合格证", "监督检验证书", "营业执照"], keywords: ["锅炉", "压力容器", "电梯"],
                kinds: [.new, .change, .cancellation]),
            Main(
                name: "计量器具型式批准", sub: "计量标准器具核准", type: .licensing, caseType: .promised, legal: 20, promised: 10, theme: .business,
                materials: ["计量标准考核（复查）申请书", "计量标准技术报告", "检定或校准人员能力证明"], keywords: ["计量", "检定"],
                kinds: [.new, .renewal], special: [("技术考核", 30)]),
        ],
        "GA": [
            Main(
                name: "居民身份证办理", sub: "居民身份证换领", type: .publicService, caseType: .promised, legal: 60, promised: 20, theme: .personal,
                fee: "20元/证（临时身份证10元）", materials: ["居民户口簿", "原居民身份证", "近期免冠彩色照片（现场采集）"], keywords: ["身份证", "换证", "到期"],
                kinds: [], online: false),
            Main(
                name: "居民身份证补领", sub: "居民身份证补领", type: .publicService, caseType: .promised, legal: 60, promised: 20, theme: .personal,
                fee: "40元/证", materials: ["居民户口簿", "居民身份证遗失声明"], keywords: ["身份证", "丢失", "补办"], kinds: [], online: false),
            Main(
                name: "户口登记", sub: "出生登记", type: .confirmation, caseType: .immediate, legal: 5, promised: 0, theme: .personal,
                materials: ["出生医学证明", "父母双方居民户口簿", "父母双方居民身份证", "父母结婚证"], keywords: ["新生儿", "落户", "上户口"], kinds: [], result: "居民户口簿"),
            Main(
                name: "户口迁移", sub: "户口迁入登记", type: .licensing, caseType: .promised, legal: 20, promised: 5, theme: .personal,
                materials: ["户口迁移申请表", "居民户口簿", "居民身份证", "合法稳定住所证明"], keywords: ["迁户口", "落户"], kinds: [.new, .change]),
            Main(
                name: "出入境证件", sub: "普通护照签发", type: .licensing, caseType: .promised, legal: 15, promised: 7, theme: .personal,
                fee: "120元/本", materials: ["中国公民出入境证件申请表", "居民身份证", "近期免冠彩色照片"], keywords: ["护照", "出国"],
                kinds: [.new, .renewal, .change], online: false),
            Main(
                name: "机动车驾驶证业务", sub: "机动车驾驶证换证", type: .licensing, caseType: .immediate, legal: 1, promised: 0, theme: .personal,
                fee: "10元/证", materials: ["机动车驾驶证申请表", "居民身份证", "身体条件证明"], keywords: ["驾照", "驾驶证", "换证"],
                kinds: [.renewal, .change, .cancellation]),
        ],
        "SW": [
            Main(
                name: "发票领用", sub: "发票票种核定", type: .otherPower, caseType: .immediate, legal: 5, promised: 0, theme: .business,
                materials: ["纳税人领用发票票种核定表", "经办人身份证件"], keywords: ["发票", "开票"], kinds: [.new, .change]),
            Main(
                name: "税务登记", sub: "税务信息确认", type: .confirmation, caseType: .immediate, legal: 1, promised: 0, theme: .business,
                materials: ["营业执照", "法定代表人身份证件", "银行账户信息"], keywords: ["税务登记", "报到"], kinds: [.new, .change, .cancellation]),
            Main(
                name: "增值税一般纳税人登记", sub: "增值税一般纳税人登记", type: .filing, caseType: .immediate, legal: 1, promised: 0, theme: .business,
                materials: ["增值税一般纳税人登记表"], keywords: ["一般纳税人", "增值税"], kinds: [.new]),
            Main(
                name: "个人所得税", sub: "个人所得税完税证明开具", type: .publicService, caseType: .immediate, legal: 1, promised: 0, theme: .personal,
                materials: ["居民身份证"], keywords: ["个税", "完税证明", "纳税证明"], kinds: [], result: "完税凭证"),
            Main(
                name: "城乡居民社会保险费缴纳", sub: "城乡居民养老保险费缴纳", type: .publicService, caseType: .immediate, legal: 1, promised: 0,
                theme: .personal,
                materials: ["居民身份证"], keywords: ["社保费", "养老保险", "缴费"], kinds: []),
            Main(
                name: "税收优惠", sub: "小微企业税收优惠备案", type: .filing, caseType: .promised, legal: 20, promised: 5, theme: .business,
                materials: ["税收优惠备案表", "财务报表"], keywords: ["减税", "优惠", "小微企业"], kinds: [.new, .change, .cancellation]),
        ],
        "RS": [
            Main(
                name: "社会保险登记", sub: "单位参保登记", type: .confirmation, caseType: .immediate, legal: 15, promised: 0, theme: .business,
                materials: ["社会保险登记表", "营业执照", "法定代表人身份证件"], keywords: ["社保", "参保", "企业开办"]),
            Main(
                name: "社会保障卡", sub: "社会保障卡申领", type: .publicService, caseType: .promised, legal: 30, promised: 10, theme: .personal,
                materials: ["居民身份证", "近期免冠彩色照片"], keywords: ["社保卡", "医保卡"], kinds: [.new, .change, .cancellation],
                result: "社会保障卡"),
            Main(
                name: "城乡居民基本养老保险待遇", sub: "城乡居民养老保险待遇申领", type: .benefit, caseType: .promised, legal: 20, promised: 10, theme: .personal,
                materials: ["城乡居民养老保险待遇申领表", "居民身份证", "居民户口簿", "社会保障卡"], keywords: ["养老金", "退休", "领取"], kinds: [.new, .change]),
            Main(
                name: "职工退休", sub: "职工基本养老保险待遇申领", type: .benefit, caseType: .promised, legal: 20, promised: 10, theme: .personal,
                materials: ["职工退休申请表", "居民身份证", "人事档案", "社会保障卡"], keywords: ["退休", "养老金"], kinds: [.new]),
            Main(
                name: "失业保险金", sub: "失业保险金申领", type: .benefit, caseType: .promised, legal: 15, promised: 5, theme: .personal,
                materials: ["失业保险金申领登记表", "居民身份证", "终止或解除劳动合同证明", "社会保障卡"], keywords: ["失业", "失业金"], kinds: [.new]),
            Main(
                name: "就业创业证", sub: "就业创业证申领", type: .publicService, caseType: .immediate, legal: 5, promised: 0, theme: .personal,
                materials: ["就业创业证申领表", "居民身份证"], keywords: ["就业", "创业", "失业登记"], kinds: [.new, .change]),
        ],
        "ZR": [
            Main(
                name: "不动产登记", sub: "国有建设用地使用权及房屋所有权登记", type: .confirmation, caseType: .promised, legal: 30, promised: 5, theme: .both,
                fee: "住宅80元/件，非住宅550元/件；小微企业免收", materials: ["不动产登记申请书", "申请人身份证明", "不动产权属来源证明", "完税凭证", "不动产权籍调查成果"],
                keywords: ["房产证", "不动产", "过户", "二手房"], special: [("公告", 15)]),
            Main(
                name: "不动产抵押登记", sub: "不动产抵押权登记", type: .confirmation, caseType: .promised, legal: 30, promised: 3, theme: .both,
                fee: "80元/件", materials: ["不动产登记申请书", "申请人身份证明", "不动产权证书", "抵押合同", "主债权合同"], keywords: ["抵押", "贷款"],
                kinds: [.new, .change, .cancellation]),
            Main(
                name: "不动产查询", sub: "不动产登记资料查询", type: .publicService, caseType: .immediate, legal: 1, promised: 0, theme: .both,
                materials: ["不动产登记资料查询申请书", "查询人身份证明"], keywords: ["查档", "房产查询"], kinds: []),
            Main(
                name: "建设用地规划许可", sub: "建设用地规划许可证核发", type: .licensing, caseType: .promised, legal: 20, promised: 10, theme: .business,
                materials: ["建设用地规划许可申请表", "建设项目批准、核准或备案文件", "土地出让合同"], keywords: ["用地", "规划许可"], kinds: [.new, .change, .renewal]),
            Main(
                name: "临时用地审批", sub: "临时用地审批", type: .licensing, caseType: .promised, legal: 20, promised: 10, theme: .business,
                materials: ["临时用地申请书", "临时使用土地合同", "土地复垦方案"], keywords: ["临时用地"], kinds: [.new, .renewal]),
            Main(
                name: "地质灾害危险性评估", sub: "地质灾害危险性评估报告备案", type: .filing, caseType: .promised, legal: 10, promised: 5, theme: .business,
                materials: ["备案登记表", "地质灾害危险性评估报告"], keywords: ["地灾", "评估"], kinds: [.new]),
        ],
        "WJ": [
            Main(
                name: "医师执业注册", sub: "医师执业注册", type: .licensing, caseType: .promised, legal: 20, promised: 5, theme: .personal,
                materials: ["医师执业注册申请审核表", "医师资格证书", "居民身份证", "健康体检证明", "聘用单位证明"], keywords: ["医生", "医师", "执业"]),
            Main(
                name: "公共场所卫生许可", sub: "公共场所卫生许可证核发", type: .licensing, caseType: .promised, legal: 20, promised: 5, theme: .business,
                materials: ["公共场所卫生许可申请表", "营业执照", "卫生管理制度", "从业人员健康合格证明"], keywords: ["理发店", "宾馆", "卫生许可"],
                special: [("卫生检测", 15)]),
            Main(
                name: "医疗机构执业登记", sub: "诊所备案", type: .filing, caseType: .promised, legal: 45, promised: 15, theme: .business,
                materials: ["诊所备案信息表", "诊所房屋平面布局图", "诊所用房产权证明或使用证明", "诊所主要负责人资格证明"], keywords: ["诊所", "门诊"],
                special: [("现场审查", 10)]),
            Main(
                name: "母婴保健技术服务", sub: "母婴保健技术服务执业许可", type: .licensing, caseType: .promised, legal: 20, promised: 10, theme: .business,
                materials: ["母婴保健技术服务执业许可申请登记书", "医疗机构执业许可证"], keywords: ["母婴", "助产"], kinds: [.new, .renewal, .change]),
            Main(
                name: "出生医学证明", sub: "出生医学证明签发", type: .publicService, caseType: .promised, legal: 10, promised: 3, theme: .personal,
                materials: ["出生医学证明签发申请表", "父母居民身份证", "分娩记录"], keywords: ["出生证", "新生儿"], kinds: [],
                result: "出生医学证明"),
            Main(
                name: "护士执业注册", sub: "护士执业注册", type: .licensing, caseType: .promised, legal: 20, promised: 5, theme: .personal,
                materials: ["护士执业注册申请审核表", "护士执业资格考试成绩合格证明", "居民身份证", "健康体检证明"], keywords: ["护士"]),
        ],
        "ZJ": [
            Main(
                name: "建筑工程施工许可", sub: "建筑工程施工许可证核发", type: .licensing, caseType: .promised, legal: 7, promised: 3, theme: .business,
                materials: ["建筑工程施工许可申请表", "建设工程规划许可证", "施工合同", "施工图设计文件审查合格书"], keywords: ["施工许可", "开工"],
                kinds: [.new, .change, .renewal]),
            Main(
                name: "建筑业企业资质", sub: "施工总承包三级资质认定", type: .licensing, caseType: .promised, legal: 20, promised: 10, theme: .business,
                materials: ["建筑业企业资质申请表", "营业执照", "企业主要人员证明", "企业业绩证明"], keywords: ["资质", "建筑企业"], special: [("专家评审", 20)]),
            Main(
                name: "商品房预售许可", sub: "商品房预售许可证核发", type: .licensing, caseType: .promised, legal: 10, promised: 5, theme: .business,
                materials: ["商品房预售许可申请表", "国有土地使用权证", "建设工程规划许可证", "施工许可证", "预售方案"], keywords: ["预售", "楼盘"],
                kinds: [.new, .change]),
            Main(
                name: "竣工验收备案", sub: "房屋建筑工程竣工验收备案", type: .filing, caseType: .promised, legal: 15, promised: 5, theme: .business,
                materials: ["竣工验收备案表", "工程竣工验收报告", "规划、消防等认可文件"], keywords: ["竣工", "验收"], kinds: [.new]),
            Main(
                name: "燃气经营许可", sub: "燃气经营许可证核发", type: .licensing, caseType: .promised, legal: 20, promised: 10, theme: .business,
                materials: ["燃气经营许可申请书", "营业执照", "安全评价报告"], keywords: ["燃气", "液化气"]),
            Main(
                name: "公租房保障", sub: "公共租赁住房资格申请", type: .benefit, caseType: .promised, legal: 30, promised: 15, theme: .personal,
                materials: ["公共租赁住房申请表", "居民户口簿", "收入证明", "住房情况证明"], keywords: ["公租房", "住房保障", "廉租房"],
                kinds: [.new, .change, .cancellation], special: [("公示", 7)]),
        ],
        "MZ": [
            Main(
                name: "婚姻登记", sub: "内地居民结婚登记", type: .confirmation, caseType: .immediate, legal: 1, promised: 0, theme: .personal,
                materials: ["居民户口簿", "居民身份证", "本人无配偶以及与对方当事人没有直系血亲和三代以内旁系血亲关系的签字声明", "近期半身免冠合影照片"],
                keywords: ["结婚", "领证", "婚姻"], kinds: [], online: false),
            Main(
                name: "离婚登记", sub: "内地居民离婚登记", type: .confirmation, caseType: .promised, legal: 30, promised: 30, theme: .personal,
                materials: ["居民户口簿", "居民身份证", "结婚证", "离婚协议书"], keywords: ["离婚", "婚姻"], kinds: [], online: false),
            Main(
                name: "最低生活保障", sub: "城乡居民最低生活保障审核确认", type: .benefit, caseType: .promised, legal: 30, promised: 20, theme: .personal,
                materials: ["最低生活保障申请书", "家庭成员身份证明", "家庭收入和财产状况授权核对书"], keywords: ["低保", "救助"],
                kinds: [.new, .change, .cancellation], special: [("入户调查", 10), ("公示", 7)]),
            Main(
                name: "临时救助", sub: "临时救助金给付", type: .benefit, caseType: .promised, legal: 15, promised: 5, theme: .personal,
                materials: ["临时救助申请书", "居民身份证", "遭遇困难的证明材料"], keywords: ["救助", "困难"], kinds: [.new]),
            Main(
                name: "社会团体登记", sub: "社会团体成立登记", type: .licensing, caseType: .promised, legal: 60, promised: 20, theme: .business,
                materials: ["社会团体成立登记申请书", "章程草案", "业务主管单位批准文件", "验资报告", "住所使用权证明"], keywords: ["社团", "协会"]),
            Main(
                name: "高龄津贴", sub: "高龄津贴申领", type: .benefit, caseType: .promised, legal: 20, promised: 10, theme: .personal,
                materials: ["高龄津贴申请表", "居民身份证", "居民户口簿", "银行账户"], keywords: ["老人", "高龄补贴", "老年人"], kinds: [.new, .cancellation]),
        ],
    ]

    static let extra: [HandlingKind: [String]] = [
        .new: [], .change: ["变更事项的证明材料"], .renewal: ["原许可证件"], .cancellation: ["注销申请书", "原证件（遗失的提交遗失声明）"],
    ]

    /// Seeds the catalog of the county center (and delegations to its first township).
    static func seed(on db: any Database, county: UUID, town: UUID, now: Date) async throws -> [AuditEvent] {
        var events: [AuditEvent] = []
        let departments = try await DepartmentModel.query(on: db).filter(\.$centerID == county).all()
        let windows = try await WindowModel.query(on: db).filter(\.$centerID == county).all()
        var codeByName: [String: String] = [:]
        var items: [ServiceItemModel] = []
        var versions: [ItemVersionModel] = []
        for d in departments.sorted(by: { $0.code < $1.code }) {
            let deptWindows = windows.filter { $0.departmentID == d.id }.map(\.number) + [1, 2]
            for (m, main) in (catalog[d.code] ?? []).enumerated() {
                let base = "DL010200-\(d.code)-\(String(format: "%03d", m + 1))"
                func guide(code: String, name: String, tier: ItemTier, parent: String?, kind: HandlingKind?) -> ItemGuide {
                    var materials = main.materials.map {
                        ItemGuide.Material(
                            name: $0, form: $0.contains("申请") || $0.contains("表") ? .original : .originalAndCopy, copies: 1, need: .required
                        )
                    }
                    for e in kind.flatMap({ extra[$0] }) ?? [] {
                        materials.append(.init(name: e, form: .original, copies: 1, need: .required))
                    }
                    materials.append(.init(name: "授权委托书及受托人身份证件", form: .original, copies: 1, need: .conditional, condition: "委托他人代办的"))
                    let immediate = main.caseType == .immediate
                    return ItemGuide(
                        code: code, name: name, parentCode: parent, type: main.type, tier: tier, handlingKind: kind, exerciseLevel: .county,
                        caseType: main.caseType, legalDays: main.legal, promisedDays: main.promised,
                        fee: main.fee.map { .init(free: false, standard: $0, basis: "国家发展改革委、财政部有关收费标准文件") } ?? .init(free: true),
                        basis: law[d.code] ?? "",
                        conditions: "符合法律法规规定条件的" + (main.theme == .personal ? "自然人" : "申请人") + "均可申请；材料齐全、符合法定形式的，予以受理。",
                        materials: materials,
                        steps: immediate
                            ? ["申请：到窗口或网上提交材料", "受理审查：窗口人员当场审查", "办结：符合条件的当场办结并发证"]
                            : ["申请：提交申请材料", "受理：材料齐全的出具受理通知书", "审查：对申请材料进行审查", "决定：作出准予或不予决定", "送达：邮寄或窗口领取"],
                        specialProcedures: main.special.map { .init(name: $0.0, days: $0.1) },
                        officeHours: "周一至周五 9:00–12:00，13:30–17:00（法定节假日除外）", consultPhone: d.phone ?? "0533-6012345",
                        supervisePhone: "12345", visits: immediate || main.online ? 0 : 1, onlineApplication: main.online,
                        theme: main.theme,
                        keywords: main.keywords, windowNumbers: Array(Set(deptWindows)).sorted(), result: main.result)
                }
                var entries: [(ItemGuide, String?)] = [(guide(code: base, name: main.name, tier: .main, parent: nil, kind: nil), nil)]
                let subCode = base + "-01"
                entries.append((guide(code: subCode, name: main.sub, tier: .sub, parent: base, kind: nil), base))
                for (k, kind) in main.kinds.enumerated() {
                    let suffix = kind == .new ? "新办" : kind.chineseName
                    entries.append(
                        (
                            guide(
                                code: subCode + "-\(k + 1)", name: "\(main.sub)（\(suffix)）", tier: .handling, parent: subCode, kind: kind),
                            subCode
                        ))
                }
                var ids: [String: UUID] = [:]
                for (g, parent) in entries {
                    let row = ServiceItemModel()
                    row.id = UUID()
                    ids[g.code] = row.id
                    row.centerID = county
                    row.departmentID = d.id!
                    row.code = g.code
                    row.name = g.name
                    row.tier = g.tier.rawValue
                    row.parentID = parent.flatMap { ids[$0] }
                    row.status = ItemStatus.published.rawValue
                    row.versions = 1
                    row.versionInForce = 1
                    items.append(row)
                    let v = ItemVersionModel()
                    v.itemID = row.id!
                    v.version = 1
                    v.content = CatalogService.json(g)
                    v.publishedAt = now
                    v.publishedBy = "system:seed"
                    versions.append(v)
                    codeByName[g.name] = g.code
                    events.append(AuditEvent("item.publish", "item", id: row.id, center: county, detail: ["code": g.code, "version": "1"]))
                }
            }
        }
        for start in stride(from: 0, to: items.count, by: 200) { try await items[start..<min(start + 200, items.count)].create(on: db) }
        for start in stride(from: 0, to: versions.count, by: 200) {
            try await versions[start..<min(start + 200, versions.count)].create(on: db)
        }

        // Each bundle lists its items in the order they are done, so that what an earlier one
        // issues (its result) is not asked for again by a later one.
        let bundles: [(String, String, ItemTheme, [String])] = [
            (
                "开办餐馆一件事", "个体工商户营业执照、食品经营许可、税务信息确认和发票申领一次办好；营业执照办出后，后面的事项不用再交。",
                .business, ["个体工商户设立登记（新办）", "食品经营许可证核发（新办）", "税务信息确认（新办）", "发票票种核定（新办）"]
            ),
            (
                "企业开办一件事", "公司登记、税务信息确认、发票申领和单位社保参保一窗受理，一日办结。", .business,
                ["有限责任公司设立登记（新办）", "税务信息确认（新办）", "发票票种核定（新办）", "单位参保登记（新办）"]
            ),
            (
                "新生儿出生一件事", "出生医学证明、落户和社会保障卡一次申请；出生医学证明和户口簿办出后，后面的事项不用再交。", .personal,
                ["出生医学证明签发", "出生登记", "社会保障卡申领（新办）"]
            ),
            (
                "退休一件事", "养老保险待遇申领和社会保障卡信息变更一次办。", .personal,
                ["职工基本养老保险待遇申领（新办）", "社会保障卡申领（变更）"]
            ),
            (
                "二手房买卖一件事", "查询房屋登记资料、开具完税凭证、办理不动产转移登记，一窗办理；开出的完税凭证不用再交。", .personal,
                ["不动产登记资料查询", "个人所得税完税证明开具", "国有建设用地使用权及房屋所有权登记（变更）"]
            ),
        ]
        for (name, summary, theme, names) in bundles {
            let b = BundleModel()
            b.centerID = county
            b.name = name
            b.summary = summary
            b.theme = theme.rawValue
            let codes = names.compactMap { codeByName[$0] }
            // A bundle naming an item the demo does not have is a mistake in this file.
            guard codes.count == names.count else { throw Abort(.internalServerError, reason: "demo bundle \(name) names a missing item") }
            b.itemCodes = codes.joined(separator: "\n")
            try await b.create(on: db)
            events.append(AuditEvent("bundle.create", "bundle", id: b.id, center: county, detail: ["name": name]))
        }
        // The township serves social-security and civil-affairs items at its own windows.
        for name in ["社会保障卡申领（新办）", "城乡居民养老保险待遇申领（新办）", "高龄津贴申领（新办）", "城乡居民最低生活保障审核确认（新办）", "就业创业证申领（新办）"] {
            guard let code = codeByName[name], let item = items.first(where: { $0.code == code }) else { continue }
            let d = ItemDelegationModel()
            d.itemID = item.id!
            d.centerID = town
            d.windowNumbers = "1,2"
            d.consultPhone = "0533-6023456"
            try await d.create(on: db)
            events.append(
                AuditEvent(
                    "item.delegate", "item", id: item.id, center: county, detail: ["code": code, "to": town.uuidString.lowercased()]))
        }
        return events
    }
}
