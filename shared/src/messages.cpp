#include "daftar/messages.h"

#include <algorithm>
#include <iterator>
#include <optional>
#include <span>

#include "daftar/date.h"
#include "messages_internal.h"

namespace daftar {
namespace {

using Entry = CatalogueEntry;

// Sorted by code. Messages say what is wrong and what to do, in the applicant's words.
constexpr Entry kCatalogue[] = {
    {"account.no_class_for_month", "Kelas keluarga untuk bulan {month:date} tidak diketahui.", "The family's class for {month:date} is not known."},
    {"account.too_many_months_ahead", "Paling banyak {max} bulan dapat dibayar di muka.", "At most {max} months can be paid in advance."},
    {"address_line.required", "Isi alamat: nama jalan dan nomor rumah.", "Enter the address: street name and house number."},
    {"address_line.too_long", "Alamat terlalu panjang: paling banyak {max} karakter.", "The address is too long: at most {max} characters."},
    {"address_line.too_short", "Alamat terlalu pendek: paling sedikit {min} karakter.", "The address is too short: at least {min} characters."},
    {"api.unknown_command", "Perintah '{command}' tidak dikenal.", "Unknown command '{command}'."},
    {"application.invalid_class", "Pilih kelas perawatan: {allowed}.", "Choose a class of care: {allowed}."},
    {"application.invalid_segment", "Segmen peserta harus PBPU (pekerja mandiri) atau BP (bukan pekerja).", "The segment must be PBPU (self-employed) or BP (not working)."},
    {"application.segment_by_employer", "Pekerja penerima upah (PPU) didaftarkan oleh pemberi kerja, bukan secara mandiri. Hubungi bagian personalia Anda.", "Wage earners (PPU) are registered by their employer, not online. Ask your employer's HR department."},
    {"application.segment_by_government", "Peserta PBI didaftarkan oleh pemerintah dari data sosial, bukan secara mandiri. Tanyakan ke Dinas Sosial setempat.", "PBI members are registered by the government from social data, not online. Ask the local social affairs office."},
    {"application.unknown_schema", "Format formulir tidak dikenal; yang didukung: {expected}.", "Unknown application format; supported: {expected}."},
    {"card.invalid_characters", "Nomor kartu JKN hanya berisi angka.", "A JKN card number has digits only."},
    {"card.invalid_check_digit", "Nomor kartu JKN tidak cocok dengan angka pemeriksanya: periksa apakah ada angka yang salah ketik atau tertukar.", "The JKN card number fails its check digit: look for a mistyped or swapped digit."},
    {"card.invalid_length", "Nomor kartu JKN terdiri dari 13 angka; yang diisi {length} angka.", "A JKN card number has 13 digits; this has {length}."},
    {"card.invalid_serial", "Nomor urut kartu harus antara 1 dan {max}.", "The card serial must be between 1 and {max}."},
    {"card.required", "Isi nomor kartu JKN.", "Enter the JKN card number."},
    {"change.cannot_add_head", "Kepala keluarga tidak dapat ditambahkan sebagai anggota baru. Jika kepala keluarga berganti, laporkan dengan KK yang baru.", "The head of family cannot be added as a new member. If the head of family changed, report it with the new KK."},
    {"change.class_too_soon", "Kelas dapat diubah {months} bulan setelah perubahan terakhir atau pendaftaran: paling cepat {earliest:date}.", "The class can be changed {months} months after the last change or the registration: on {earliest:date} at the earliest."},
    {"change.document_needed", "Penggantian faskes lebih awal diperiksa petugas: siapkan surat pendukung (surat domisili, surat tugas, atau surat keterangan kuliah).", "An early change of health facility is checked by an officer: have the supporting letter ready (proof of residence, assignment letter or letter from the university)."},
    {"change.facility_too_soon", "Faskes dapat diganti {months} bulan setelah penggantian terakhir: paling cepat {earliest:date}. Lebih cepat hanya jika pindah domisili, ditugaskan, atau kuliah di tempat lain.", "The health facility can be changed {months} months after the last change: on {earliest:date} at the earliest. Sooner only after a move, an assignment or for studies elsewhere."},
    {"change.newborn_too_late", "Bayi didaftarkan lebih dari {days} hari setelah lahir, jadi dijamin mulai {from:date}, bukan sejak lahir.", "The baby is added more than {days} days after birth, so it is covered from {from:date}, not from birth."},
    {"change.no_documents_needed", "Perubahan ini tidak memerlukan dokumen: kirim tanpa paket.", "This change needs no documents: send it without a package."},
    {"change.nothing_to_change", "Isi nomor HP atau alamat e-mail yang baru.", "Enter the new mobile number or e-mail address."},
    {"change.same_class", "Keluarga Anda sudah terdaftar di kelas ini.", "Your family is already registered in this class."},
    {"change.same_facility", "Faskes ini sudah faskes keluarga Anda.", "This is already your family's health facility."},
    {"change.unknown_member", "Anggota ini tidak ada di keluarga Anda atau kepesertaannya sudah berakhir.", "This member is not in your family, or their cover has already ended."},
    {"change.unknown_reason", "Alasan pindah faskes lebih awal hanya: pindah domisili, ditugaskan di tempat lain, atau kuliah di tempat lain.", "A facility can be changed early only for a move, an assignment elsewhere or studies elsewhere."},
    {"change.unknown_type", "Jenis perubahan ini tidak dikenal. Yang dapat diubah: kontak, alamat, kelas, faskes, tambah anggota, dan lapor kematian.", "This kind of change is not known. What can be changed: contact, address, class, facility, adding a member, and reporting a death."},
    {"change.unpaid_months", "Lunasi dulu iuran {months} bulan yang belum dibayar: kelas tidak dapat diubah selama ada tunggakan.", "First pay the {months} unpaid month(s): the class cannot be changed while contributions are owed."},
    {"consent.invalid_given_at", "Waktu persetujuan harus berupa tanggal dan jam ISO 8601 (misalnya 2026-12-01T09:30:00+07:00) dan tidak setelah hari ini.", "The time of consent must be an ISO 8601 date and time (e.g. 2026-12-01T09:30:00+07:00) and not after today."},
    {"consent.required", "Centang persetujuan pemeriksaan data ke Dukcapil (data kependudukan) sebelum mengirim: tanpa itu pendaftaran tidak dapat diperiksa.", "Tick the consent to check your data with Dukcapil (the population registry) before sending: without it the registration cannot be checked."},
    {"consent.text_v1", "Saya setuju NIK, nomor KK, nama, tanggal lahir, dan jenis kelamin setiap anggota keluarga yang saya daftarkan dicocokkan dengan data kependudukan Dukcapil, hanya untuk pendaftaran JKN ini. BPJS Kesehatan hanya menyimpan hasil cocok atau tidak cocok, bukan data Dukcapil.", "I agree that the NIK, family card number, name, date of birth and sex of each family member I register are compared with Dukcapil's population records, only for this JKN registration. BPJS Kesehatan keeps only whether they matched, not Dukcapil's data."},
    {"consent.unknown_text_version", "Versi teks persetujuan tidak dikenal; versi yang berlaku: {current}. Muat ulang halaman dan setujui lagi.", "Unknown version of the consent text; the current one is {current}. Reload the page and agree again."},
    {"contact.unknown_language", "Bahasa untuk pesan harus salah satu dari: {allowed}.", "The language for messages must be one of: {allowed}."},
    {"date.in_future", "Tanggal tidak boleh setelah hari ini ({today:date}).", "The date cannot be after today ({today:date})."},
    {"date.invalid_format", "Tulis tanggal sebagai TTTT-BB-HH, misalnya 1997-09-06.", "Write the date as YYYY-MM-DD, for example 1997-09-06."},
    {"date.not_a_real_date", "Tanggal ini tidak ada di kalender: periksa hari dan bulannya.", "This date does not exist: check the day and the month."},
    {"date.required", "Isi tanggal lahir.", "Enter the date of birth."},
    {"date.too_old", "Tanggal lahir lebih dari {max_years} tahun yang lalu: periksa tahunnya.", "The date of birth is more than {max_years} years ago: check the year."},
    {"document.corrupt_image", "Berkas gambar ({type}) rusak atau terpotong: foto atau pindai ulang dokumennya.", "The image file ({type}) is damaged or cut short: photograph or scan the document again."},
    {"document.corrupt_pdf", "Berkas PDF rusak atau terpotong: simpan ulang PDF-nya, atau unggah foto dokumennya.", "The PDF is damaged or cut short: save it again, or upload a photo of the document."},
    {"document.empty", "Berkas kosong: pilih atau foto ulang dokumennya.", "The file is empty: choose or photograph the document again."},
    {"document.image_too_small", "Foto terlalu kecil ({width}x{height} piksel): sisi panjang paling sedikit {min_long_side} piksel dan sisi pendek {min_short_side} piksel. Foto lebih dekat atau gunakan resolusi kamera yang lebih tinggi.", "The photo is too small ({width}x{height} pixels): the long side needs at least {min_long_side} pixels and the short side {min_short_side}. Move closer or use a higher camera resolution."},
    {"document.invalid_hash", "Sidik berkas (BLAKE2b) harus 64 digit heksadesimal.", "The file's BLAKE2b hash must be 64 hexadecimal digits."},
    {"document.invalid_member", "Dokumen menunjuk anggota keluarga yang tidak ada (ada {members} anggota).", "The document names a family member who does not exist (there are {members})."},
    {"document.member_not_allowed", "Kartu Keluarga adalah dokumen keluarga, bukan milik satu anggota.", "The family card belongs to the family, not to one member."},
    {"document.member_required", "Sebutkan anggota keluarga pemilik dokumen ini.", "Say which family member this document belongs to."},
    {"document.pdf_active_content", "PDF ini berisi {feature}, yang tidak diterima demi keamanan. Cetak ulang ke PDF biasa, atau unggah foto dokumennya.", "This PDF contains {feature}, which is refused for safety. Print it again to a plain PDF, or upload a photo of the document."},
    {"document.pdf_encrypted", "PDF ini dikunci dengan kata sandi. Unggah PDF tanpa kata sandi, atau foto dokumennya.", "This PDF is password-protected. Upload it without a password, or a photo of the document."},
    {"document.too_large", "Berkas terlalu besar: paling besar {max_bytes:bytes}.", "The file is too large: at most {max_bytes:bytes}."},
    {"document.too_many_pixels", "Gambar terlalu besar untuk dibuka ({width}x{height} piksel; paling banyak {max_pixels} piksel). Foto ulang dengan resolusi kamera biasa.", "The image is too large to open ({width}x{height} pixels; at most {max_pixels} pixels). Take the photo again at a normal camera resolution."},
    {"document.unknown_kind", "Jenis dokumen tidak dikenal: pilih KK, KTP, akta kelahiran, pas foto, buku tabungan, buku nikah, akta kematian, atau surat pendukung.", "Unknown kind of document: choose family card, KTP, birth certificate, photo, bank book, marriage certificate, death certificate or supporting letter."},
    {"document.unrecognized_type", "Isi berkas bukan JPG, PNG, atau PDF (apa pun nama berkasnya). Unggah foto atau pindaian dokumen.", "The file's content is not a JPG, PNG or PDF (whatever its name says). Upload a photo or scan of the document."},
    {"document.unsupported_media_type", "Jenis berkas tidak didukung: unggah JPG, PNG, atau PDF.", "This type of file is not accepted: upload a JPG, PNG or PDF."},
    {"documents.missing_birth_certificate", "Unggah surat keterangan lahir atau akta kelahiran untuk anggota nomor {number} (bayi tanpa NIK).", "Upload the birth certificate of member {number} (a newborn without a NIK)."},
    {"documents.missing_death_certificate", "Unggah akta kematian atau surat keterangan kematian.", "Upload the death certificate."},
    {"documents.missing_kk", "Unggah foto atau pindaian Kartu Keluarga (KK).", "Upload a photo or scan of the family card (KK)."},
    {"documents.missing_ktp", "Unggah e-KTP anggota nomor {number}: wajib bagi yang berumur 17 tahun ke atas atau pernah menikah.", "Upload the e-KTP of member {number}: required from age 17 or once married."},
    {"documents.missing_marriage_certificate", "Unggah buku nikah atau akta perkawinan untuk suami/istri yang ditambahkan.", "Upload the marriage book or certificate for the husband or wife being added."},
    {"documents.missing_supporting_letter", "Unggah surat pendukung: surat keterangan domisili (pindah), surat tugas (ditugaskan), atau surat keterangan kuliah.", "Upload the supporting letter: proof of the new residence (moved), the assignment letter (assigned) or the letter from the university (studying)."},
    {"email.invalid_domain", "Alamat email setelah tanda @ tidak valid ({domain}): periksa ejaannya, misalnya gmail.com.", "The part after @ is not a valid domain ({domain}): check the spelling, e.g. gmail.com."},
    {"email.invalid_format", "Alamat email harus berisi satu tanda @, misalnya nama@contoh.co.id.", "An e-mail address has exactly one @, like name@example.co.id."},
    {"email.invalid_local_part", "Bagian sebelum tanda @ berisi karakter yang tidak diperbolehkan, spasi, atau titik ganda.", "The part before @ has a character that is not allowed, a space, or two dots in a row."},
    {"email.required", "Isi alamat email: kami kirim bukti pendaftaran ke sana.", "Enter an e-mail address: we send proof of registration there."},
    {"email.too_long", "Alamat email terlalu panjang: paling banyak {max} karakter.", "The e-mail address is too long: at most {max} characters."},
    {"facility.invalid_code", "Kode faskes terdiri dari 8 huruf atau angka, misalnya 09020107.", "A health facility code has 8 letters or digits, for example 09020107."},
    {"facility.required", "Pilih faskes tingkat pertama (puskesmas, klinik, atau dokter) tempat keluarga berobat.", "Choose the first-level health facility (community health centre, clinic or doctor) where the family will be treated."},
    {"family.duplicate_nik", "NIK ini sudah diisi untuk anggota nomor {number}: setiap orang hanya sekali.", "This NIK was already entered for member {number}: list each person once."},
    {"family.multiple_heads", "Hanya boleh ada satu kepala keluarga.", "There can be only one head of family."},
    {"family.no_head", "Tandai satu anggota sebagai kepala keluarga, sesuai KK.", "Mark one member as head of family, as on the family card."},
    {"family.no_members", "Tambahkan semua anggota keluarga yang tercantum di KK.", "Add every family member listed on the family card."},
    {"family.too_many_members", "Satu pendaftaran paling banyak {max} anggota keluarga. Untuk keluarga yang lebih besar, hubungi kantor cabang BPJS Kesehatan.", "One registration lists at most {max} family members. For a larger family, contact a BPJS Kesehatan branch office."},
    {"image.blurry", "Foto buram (ketajaman {sharpness}): pegang ponsel dengan mantap dan ulangi.", "The photo is blurred (sharpness {sharpness}): hold the phone steady and take it again."},
    {"image.glare", "Ada pantulan cahaya pada foto: hindari lampu atau sinar matahari langsung dan ulangi.", "There is glare on the photo: avoid direct lamp or sunlight and take it again."},
    {"image.invalid_pixels", "Data piksel tidak sesuai dengan lebar dan tinggi gambar.", "The pixel data does not match the image's width and height."},
    {"image.too_dark", "Foto terlalu gelap (kecerahan {brightness}): cari tempat yang lebih terang dan ulangi.", "The photo is too dark (brightness {brightness}): find more light and take it again."},
    {"input.invalid_date", "Tulis tanggal sebagai TTTT-BB-HH dengan tanggal yang ada di kalender.", "Write a real date as YYYY-MM-DD."},
    {"input.invalid_month", "Tulis bulan sebagai TTTT-BB, misalnya 2026-01.", "Write a month as YYYY-MM, for example 2026-01."},
    {"input.malformed_json", "Data tidak dapat dibaca (bukan JSON yang benar).", "The data cannot be read (not valid JSON)."},
    {"input.out_of_range", "Nilai harus antara {min} dan {max}.", "The value must be between {min} and {max}."},
    {"input.required", "Wajib diisi.", "This is required."},
    {"input.too_deep", "Data bersarang terlalu dalam (paling dalam {max} tingkat).", "The data is nested too deeply (at most {max} levels)."},
    {"input.too_many_items", "Daftar ini terlalu panjang: paling banyak {max}.", "This list is too long: at most {max} items."},
    {"input.wrong_type", "Isian ini harus berupa {expected}.", "This must be of type {expected}."},
    {"kk.invalid_characters", "Nomor KK hanya berisi angka (spasi, titik, dan tanda hubung boleh).", "A family card number has digits only (spaces, dots and dashes are fine)."},
    {"kk.invalid_issue_date", "Tanggal terbit di nomor KK ({digits}) tidak ada di kalender: periksa angka ke-7 sampai ke-12.", "The issue date in the family card number ({digits}) does not exist: check digits 7 to 12."},
    {"kk.invalid_length", "Nomor KK terdiri dari 16 angka; yang diisi {length} angka.", "A family card number has 16 digits; this has {length}."},
    {"kk.invalid_serial", "Empat angka terakhir nomor KK tidak boleh 0000.", "The last four digits of a family card number cannot be 0000."},
    {"kk.required", "Isi nomor Kartu Keluarga (KK).", "Enter the family card (KK) number."},
    {"kk.unknown_district", "Kode kecamatan {district} di nomor KK tidak ada di tabel wilayah kami. Jika nomor sudah sesuai KK, lanjutkan: petugas akan memeriksa.", "District code {district} in the family card number is not in our region table. If it matches the card, continue: an officer will check."},
    {"member.birth_date_mismatch", "Tanggal lahir tidak sama dengan yang tertulis di NIK ({nik_birth_date:date}). Samakan dengan KTP atau KK.", "The date of birth differs from the one in the NIK ({nik_birth_date:date}). Make it match the KTP or family card."},
    {"member.invalid_marital_status", "Pilih status perkawinan: belum kawin, kawin, cerai hidup, atau cerai mati.", "Choose a marital status: single, married, divorced or widowed."},
    {"member.invalid_relationship", "Pilih hubungan dalam keluarga: kepala keluarga, suami atau istri, anak, orang tua, atau lainnya.", "Choose the relationship in the family: head of family, husband or wife, child, parent, or other."},
    {"member.invalid_sex", "Pilih jenis kelamin: laki-laki atau perempuan.", "Choose the sex: male or female."},
    {"member.nik_required", "Isi NIK. Hanya bayi baru lahir berumur kurang dari {months} bulan yang boleh didaftarkan tanpa NIK.", "Enter the NIK. Only a newborn under {months} months old may be registered without one."},
    {"member.sex_mismatch", "Jenis kelamin tidak sama dengan yang tertulis di NIK ({nik_sex:sex}): untuk perempuan, tanggal lahir di NIK ditambah 40.", "The sex differs from the one in the NIK ({nik_sex:sex}): for women the day of birth in a NIK is plus 40."},
    {"name.contains_digits", "Nama tidak boleh berisi angka. Tulis sesuai KTP atau KK.", "A name cannot contain digits. Write it as on the KTP or family card."},
    {"name.invalid_characters", "Nama berisi karakter yang tidak diperbolehkan ({character}). Gunakan huruf, spasi, titik, koma, tanda hubung, atau apostrof.", "The name has a character that is not allowed ({character}). Use letters, spaces, dots, commas, hyphens or apostrophes."},
    {"name.no_letters", "Nama harus berisi huruf.", "A name must contain letters."},
    {"name.required", "Isi nama lengkap sesuai KTP atau KK.", "Enter the full name as on the KTP or family card."},
    {"name.too_long", "Nama terlalu panjang: paling banyak {max} karakter.", "The name is too long: at most {max} characters."},
    {"name.too_short", "Nama terlalu pendek: paling sedikit {min} karakter.", "The name is too short: at least {min} characters."},
    {"nik.invalid_birth_date", "Tanggal lahir di NIK ({digits}) tidak ada di kalender: periksa angka ke-7 sampai ke-12. Untuk perempuan, tanggal ditambah 40.", "The birth date in the NIK ({digits}) does not exist: check digits 7 to 12. For women the day is plus 40."},
    {"nik.invalid_characters", "NIK hanya berisi angka (spasi, titik, dan tanda hubung boleh).", "A NIK has digits only (spaces, dots and dashes are fine)."},
    {"nik.invalid_length", "NIK terdiri dari 16 angka; yang diisi {length} angka.", "A NIK has 16 digits; this has {length}."},
    {"nik.invalid_serial", "Empat angka terakhir NIK tidak boleh 0000.", "The last four digits of a NIK cannot be 0000."},
    {"nik.required", "Isi NIK (16 angka di KTP atau KK).", "Enter the NIK (16 digits on the KTP or family card)."},
    {"nik.unknown_district", "Kode kecamatan {district} di NIK tidak ada di tabel wilayah kami. Jika NIK sudah sesuai KTP, lanjutkan: petugas akan memeriksa.", "District code {district} in the NIK is not in our region table. If the NIK matches the KTP, continue: an officer will check."},
    {"nik.unknown_province", "Dua angka pertama NIK ({province}) bukan kode provinsi: periksa kembali NIK Anda.", "The first two digits of the NIK ({province}) are no province code: check the NIK again."},
    {"nik.unknown_regency", "Kode kabupaten/kota {regency} di NIK tidak ada di tabel wilayah kami. Jika NIK sudah sesuai KTP, lanjutkan: petugas akan memeriksa.", "Regency code {regency} in the NIK is not in our region table. If the NIK matches the KTP, continue: an officer will check."},
    {"npwp.invalid_characters", "NPWP hanya berisi angka (titik dan tanda hubung boleh).", "An NPWP has digits only (dots and dashes are fine)."},
    {"npwp.invalid_length", "NPWP terdiri dari 15 atau 16 angka; yang diisi {length} angka.", "An NPWP has 15 or 16 digits; this has {length}."},
    {"npwp.required", "Isi NPWP, atau kosongkan jika tidak punya.", "Enter the NPWP, or leave it out if you have none."},
    {"package.corrupt_frame", "Paket rusak atau telah diubah (isi tidak lolos pemeriksaan keaslian). Kirim ulang dari perangkat asal.", "The package is damaged or was altered (its content fails authentication). Send it again from the original device."},
    {"package.corrupt_header", "Kepala paket rusak atau telah diubah.", "The package header is damaged or was altered."},
    {"package.crypto_unavailable", "Kriptografi tidak tersedia di perangkat ini: perbarui peramban.", "Cryptography is not available on this device: update the browser."},
    {"package.document_hash_mismatch", "Isi dokumen nomor {number} tidak sama dengan sidik di daftar dokumen.", "Document {number} does not match the hash in the document list."},
    {"package.document_size_mismatch", "Ukuran dokumen nomor {number} tidak sama dengan yang tertulis di daftar dokumen.", "Document {number} does not have the size given in the document list."},
    {"package.extra_documents", "Paket berisi lebih banyak dokumen daripada {declared} yang terdaftar.", "The package holds more documents than the {declared} it lists."},
    {"package.invalid_manifest", "Daftar isi paket tidak valid: setiap dokumen harus punya ukuran dan sidik BLAKE2b.", "The package's manifest is invalid: every document needs a size and a BLAKE2b hash."},
    {"package.invalid_public_key", "Kunci publik penerima tidak valid (harus 32 byte X25519 dalam base64).", "The recipient's public key is invalid (32 bytes of X25519, base64)."},
    {"package.invalid_secret_key", "Kunci rahasia tidak valid (harus 32 byte X25519 dalam base64).", "The secret key is invalid (32 bytes of X25519, base64)."},
    {"package.invalid_state", "Status penyegelan tidak valid: mulai penyegelan dari awal.", "The sealing state is invalid: start sealing again."},
    {"package.manifest_too_deep", "Daftar isi paket bersarang terlalu dalam (paling dalam {max} tingkat).", "The package's manifest is nested too deeply (at most {max} levels)."},
    {"package.missing_documents", "Paket berhenti setelah {found} dari {declared} dokumen.", "The package ends after {found} of its {declared} documents."},
    {"package.not_a_package", "Berkas ini bukan paket pendaftaran Daftar.", "This file is not a Daftar registration package."},
    {"package.too_many_documents", "Paket berisi terlalu banyak dokumen: paling banyak {max}.", "The package holds too many documents: at most {max}."},
    {"package.too_many_frames", "Dokumen nomor {number} dipotong menjadi terlalu banyak bagian (paling banyak {max}): segel ulang paketnya.", "Document {number} is split into too many pieces (at most {max}): seal the package again."},
    {"package.trailing_data", "Ada data tambahan setelah akhir paket.", "There are extra bytes after the end of the package."},
    {"package.truncated", "Paket terpotong: unggahan belum selesai. Kirim ulang atau lanjutkan unggahan.", "The package is cut short: the upload did not finish. Send it again or resume the upload."},
    {"package.unsupported_version", "Versi paket {version} tidak didukung: perbarui aplikasi.", "Package version {version} is not supported: update the app."},
    {"package.wrong_key", "Paket ini disegel untuk kunci lain dan tidak dapat dibuka dengan kunci ini.", "This package was sealed to another key and cannot be opened with this one."},
    {"phone.invalid_characters", "Nomor HP hanya berisi angka, misalnya 0812-3456-7890.", "A mobile number has digits only, like 0812-3456-7890."},
    {"phone.invalid_length", "Nomor HP terdiri dari 10 sampai 13 angka (mulai 08); yang diisi {length} angka.", "A mobile number has 10 to 13 digits (starting 08); this has {length}."},
    {"phone.not_indonesian", "Gunakan nomor HP Indonesia (+62 atau 08).", "Use an Indonesian mobile number (+62 or 08)."},
    {"phone.not_mobile", "Ini bukan nomor HP: nomor telepon rumah dan nomor layanan 0800 tidak bisa menerima SMS. Isi nomor HP yang aktif (mulai 08).", "This is not a mobile number: landlines and 0800 service numbers cannot receive SMS. Enter an active mobile number (starting 08)."},
    {"phone.required", "Isi nomor HP yang aktif: kami kirim kode dan kabar pendaftaran ke sana.", "Enter an active mobile number: we send codes and news of the registration there."},
    {"postal_code.invalid", "Kode pos terdiri dari 5 angka dan tidak diawali 0.", "A postal code has 5 digits and does not start with 0."},
    {"postal_code.required", "Isi kode pos.", "Enter the postal code."},
    {"quote.no_penalty_rule_for_date", "Belum ada aturan denda pelayanan untuk tanggal {date:date}.", "No service-penalty rule applies on {date:date}."},
    {"quote.no_tariff_for_date", "Belum ada tarif iuran untuk tanggal {date:date}.", "No contribution tariff applies on {date:date}."},
    {"quote.ppu_too_many_members", "Iuran PPU menanggung paling banyak {max} orang; sebutkan anggota lain sebagai extra_members.", "The PPU rate covers at most {max} people; list the others as extra_members."},
    {"quote.reactivation_not_applicable", "Tunggakan dan reaktivasi hanya dihitung untuk peserta mandiri (PBPU/BP).", "Arrears and reactivation apply to self-paying members (PBPU/BP) only."},
    {"quote.unknown_class", "Kelas tidak tersedia; pilih: {allowed}.", "That class is not available; choose: {allowed}."},
    {"quote.unknown_segment", "Segmen harus PBPU, BP, PPU, atau PBI.", "The segment must be PBPU, BP, PPU or PBI."},
    {"rt.invalid", "RT terdiri dari 1 sampai 3 angka, misalnya 003.", "The RT has 1 to 3 digits, like 003."},
    {"rt.required", "Isi nomor RT.", "Enter the RT number."},
    {"rw.invalid", "RW terdiri dari 1 sampai 3 angka, misalnya 007.", "The RW has 1 to 3 digits, like 007."},
    {"rw.required", "Isi nomor RW.", "Enter the RW number."},
    {"signature.invalid", "Tanda tangan digital tidak cocok: kartu atau bukti ini telah diubah atau palsu.", "The digital signature does not match: this card or receipt was altered or is forged."},
    {"signature.malformed", "Tanda tangan digital tidak terbaca: pindai ulang kode QR.", "The digital signature cannot be read: scan the QR code again."},
    {"signature.no_trusted_key", "Tidak ada kunci tepercaya untuk memeriksa tanda tangan: buka halaman ini sekali saat daring agar kunci BPJS Kesehatan tersimpan.", "There is no trusted key to check the signature with: open this page once while online so that BPJS Kesehatan's key is stored."},
    {"signature.untrusted_key", "Ditandatangani dengan kunci yang bukan milik BPJS Kesehatan: jangan dipercaya.", "Signed with a key that is not the server's: do not trust it."},
    {"tariffs.ends_before_start", "Baris tarif berakhir sebelum mulai berlaku.", "The tariff row ends before it starts."},
    {"tariffs.inconsistent_amounts", "Bagian peserta ditambah subsidi harus sama dengan total.", "The participant's share plus the subsidy must equal the total."},
    {"tariffs.overlapping_rows", "Baris tarif yang berlaku mulai {from} tumpang tindih dengan baris sebelumnya.", "The tariff row from {from} overlaps the row before it."},
    {"va.invalid_prefix", "Awalan virtual account harus 3 sampai 8 angka.", "The virtual account prefix must be 3 to 8 digits."},
    {"village.invalid_format", "Kode desa/kelurahan terdiri dari 10 angka, misalnya 32.04.11.2001.", "A village code has 10 digits, like 32.04.11.2001."},
    {"village.required", "Pilih desa/kelurahan.", "Choose the village."},
    {"village.unknown", "Kode desa/kelurahan {village} tidak ada di daftar wilayah saat ini: pilih dari daftar.", "Village code {village} is not in the current region list: choose from the list."},
};

// The core's catalogue, then the service's (empty in the browser's build).
const Entry* Find(std::string_view code) {
  for (const std::span<const Entry> catalogue : {std::span<const Entry>(kCatalogue), ServiceMessages()}) {
    const auto it = std::lower_bound(catalogue.begin(), catalogue.end(), code,
                                     [](const Entry& e, std::string_view c) { return e.code < c; });
    if (it != catalogue.end() && it->code == code) return &*it;
  }
  return nullptr;
}

enum class Language { kId, kEn };

// 70000 -> "Rp70.000" (Indonesian) or "Rp70,000" (English).
std::string Rupiah(int64_t amount, Language language) {
  std::string digits = std::to_string(amount < 0 ? -amount : amount);
  for (int at = static_cast<int>(digits.size()) - 3; at > 0; at -= 3) digits.insert(static_cast<std::size_t>(at), language == Language::kId ? "." : ",");
  return (amount < 0 ? "-Rp" : "Rp") + digits;
}

// Basis points as a percentage: 250 -> "2,5%" (Indonesian) or "2.5%" (English).
std::string Percent(int64_t basis_points, Language language) {
  std::string out = std::to_string(basis_points / 100);
  for (int64_t rest = basis_points % 100, digits = 0; rest != 0 && digits < 2; rest = rest * 10 % 100, ++digits) {
    if (digits == 0) out += language == Language::kId ? "," : ".";
    out += static_cast<char>('0' + rest * 10 / 100);
  }
  return out + "%";
}

// "2026-03-10" -> "10 Maret 2026" / "10 March 2026"; "2026-03" -> "Maret 2026" / "March 2026";
// a comma-separated list of either, each in words. Anything else stays as it is.
std::string InWords(std::string_view text, Language language) {
  static constexpr std::string_view kId[] = {"Januari", "Februari", "Maret",     "April",   "Mei",      "Juni",
                                             "Juli",    "Agustus",  "September", "Oktober", "November", "Desember"};
  static constexpr std::string_view kEn[] = {"January", "February", "March",     "April",   "May",      "June",
                                             "July",    "August",   "September", "October", "November", "December"};
  std::string out;
  for (std::size_t start = 0; start <= text.size();) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    std::string_view item = text.substr(start, comma - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    const std::optional<Date> date = item.size() == 7 ? ParseIsoDate(std::string(item) + "-01") : ParseIsoDate(item);
    if (!out.empty()) out += ", ";
    if (!date) {
      out += item;
    } else {
      const std::string_view month = (language == Language::kId ? kId : kEn)[date->month - 1];
      out += (item.size() == 7 ? "" : std::to_string(date->day) + " ") + std::string(month) + " " + std::to_string(date->year);
    }
    start = comma + 1;
  }
  return out;
}

// Bytes in the unit a person reads: 2097152 -> "2 MB"; 524288 -> "512 KB" (binary units).
std::string Bytes(int64_t bytes, Language language) {
  const bool mb = bytes >= (1 << 20);
  const int64_t tenths = bytes * 10 / (mb ? (1 << 20) : (1 << 10));
  std::string out = std::to_string(tenths / 10);
  if (tenths % 10 != 0) out += (language == Language::kId ? "," : ".") + std::to_string(tenths % 10);
  return out + (mb ? " MB" : " KB");
}

// A NIK's sex code in words: "M" -> "laki-laki" / "male", "F" -> "perempuan" / "female".
std::string SexInWords(std::string_view code, Language language) {
  if (code == "M") return language == Language::kId ? "laki-laki" : "male";
  if (code == "F") return language == Language::kId ? "perempuan" : "female";
  return std::string(code);
}

// Fills "{name}" from the params; "{name:rupiah}" formats an amount, "{name:percent}" basis points,
// "{name:bytes}" a size, "{name:date}" a date or month (or a list of them) and "{name:sex}" a sex
// code, in the message's language: a family never reads a code or an ISO date.
std::string Fill(std::string_view text, const std::vector<Param>& params, Language language) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const std::size_t close = text[i] == '{' ? text.find('}', i) : std::string_view::npos;
    if (close == std::string_view::npos) {
      out.push_back(text[i]);
      continue;
    }
    const std::string_view placeholder = text.substr(i + 1, close - i - 1);
    const std::size_t colon = placeholder.find(':');
    const std::string_view name = placeholder.substr(0, colon);
    const std::string_view format = colon == std::string_view::npos ? "" : placeholder.substr(colon + 1);
    const auto p = std::find_if(params.begin(), params.end(), [&](const Param& q) { return q.name == name; });
    if (p == params.end()) {
      out.append(text.substr(i, close - i + 1));
    } else if (const auto* number = std::get_if<int64_t>(&p->value)) {
      out += format == "rupiah"    ? Rupiah(*number, language)
             : format == "percent" ? Percent(*number, language)
             : format == "bytes"   ? Bytes(*number, language)
                                   : std::to_string(*number);
    } else {
      const std::string& value = std::get<std::string>(p->value);
      out += format == "date" ? InWords(value, language) : format == "sex" ? SexInWords(value, language) : value;
    }
    i = close;
  }
  return out;
}

}  // namespace

Message RenderMessage(const Finding& finding) {
  if (const Entry* e = Find(finding.code)) {
    return {Fill(e->id, finding.params, Language::kId), Fill(e->en, finding.params, Language::kEn)};
  }
  // Never reached for codes the core emits: a test compares the sources with the catalogue.
  return {"Isian tidak valid (" + finding.code + ").", "Invalid input (" + finding.code + ")."};
}

bool IsCatalogued(std::string_view code) { return Find(code) != nullptr; }

bool IsConsentTextVersion(std::string_view version) {
  return !version.empty() && version.size() <= 8 && Find("consent.text_v" + std::string(version)) != nullptr;
}

Message ConsentText(std::string_view version) {
  if (!IsConsentTextVersion(version)) return {};
  const Entry* e = Find("consent.text_v" + std::string(version));
  return {std::string(e->id), std::string(e->en)};
}

std::vector<std::string_view> CataloguedCodes() {
  std::vector<std::string_view> codes;
  for (const Entry& e : kCatalogue) codes.push_back(e.code);
  for (const Entry& e : ServiceMessages()) codes.push_back(e.code);
  std::sort(codes.begin(), codes.end());
  return codes;
}

}  // namespace daftar
