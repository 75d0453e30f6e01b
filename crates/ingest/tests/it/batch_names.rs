//! Standard codes in file names, in the spellings downloads really use.

use biaozhun_ingest::batch::code_from_file_name;

fn check(name: &str, want: Option<&str>) {
    let got = code_from_file_name(name).map(|c| c.to_string());
    assert_eq!(got.as_deref(), want, "file name {name:?}");
}

#[test]
fn batch_names_spellings() {
    for (name, want) in [
        ("GBT7714-2015.pdf", "GB/T 7714-2015"),
        ("GB／T 7714—2015.pdf", "GB/T 7714-2015"),
        ("GB_T 7714-2015.pdf", "GB/T 7714-2015"),
        ("GB-T-7714-2015.pdf", "GB/T 7714-2015"),
        ("gbt7714-2015.PDF", "GB/T 7714-2015"),
        ("ＧＢＴ７７１４－２０１５.pdf", "GB/T 7714-2015"),
        (
            "GBT 7714—2015 信息与文献 参考文献著录规则.pdf",
            "GB/T 7714-2015",
        ),
        ("GB∕T 7714-2015(1).pdf", "GB/T 7714-2015"),
        ("GBT390592020.pdf", "GB/T 39059-2020"),
        ("GBT148331993.pdf", "GB/T 14833-1993"),
        ("GBT435642023.pdf", "GB/T 43564-2023"),
        ("DB37T29042019.pdf", "DB37/T 2904-2019"),
        ("DB62T4475-2021.txt", "DB62/T 4475-2021"),
        ("DB62／T 4393—2021.md", "DB62/T 4393-2021"),
        ("DB62-T-4330-2021.html", "DB62/T 4330-2021"),
        ("SNT5228-2020.txt", "SN/T 5228-2020"),
        ("GB 2763-2021.pdf", "GB 2763-2021"),
        ("GB2763.1-2018.pdf", "GB 2763.1-2018"),
        ("T_CACM 1020.148-2019.pdf", "T/CACM 1020.148-2019"),
        ("NYT 391-2021 绿色食品.pdf", "NY/T 391-2021"),
        ("/data/dl/GB 7718-2025_副本.pdf", "GB 7718-2025"),
        ("GB 12016.pdf", "GB 12016"),
    ] {
        check(name, Some(want));
    }
    for name in [
        "README.md",
        "stopwords-cn_stopwords.txt",
        "report.pdf",
        "THUOCL_food.txt",
    ] {
        check(name, None);
    }
}
