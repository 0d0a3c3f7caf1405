// Sealing's messages (see messages_internal.h): what packages, document files, photos and
// signatures can be refused for. Sorted by code; Bahasa Indonesia first, English too. Carried by
// the native builds and the browser's sealing module.
#include "messages_internal.h"

namespace daftar {
namespace {

constexpr CatalogueEntry kSealingCatalogue[] = {
    {"document.corrupt_image", "Berkas gambar ({type}) rusak atau terpotong: foto atau pindai ulang dokumennya.", "The image file ({type}) is damaged or cut short: photograph or scan the document again."},
    {"document.corrupt_pdf", "Berkas PDF rusak atau terpotong: simpan ulang PDF-nya, atau unggah foto dokumennya.", "The PDF is damaged or cut short: save it again, or upload a photo of the document."},
    {"document.image_too_small", "Foto terlalu kecil ({width}x{height} piksel): sisi panjang paling sedikit {min_long_side} piksel dan sisi pendek {min_short_side} piksel. Foto lebih dekat atau gunakan resolusi kamera yang lebih tinggi.", "The photo is too small ({width}x{height} pixels): the long side needs at least {min_long_side} pixels and the short side {min_short_side}. Move closer or use a higher camera resolution."},
    {"document.pdf_active_content", "PDF ini berisi {feature}, yang tidak diterima demi keamanan. Cetak ulang ke PDF biasa, atau unggah foto dokumennya.", "This PDF contains {feature}, which is refused for safety. Print it again to a plain PDF, or upload a photo of the document."},
    {"document.pdf_encrypted", "PDF ini dikunci dengan kata sandi. Unggah PDF tanpa kata sandi, atau foto dokumennya.", "This PDF is password-protected. Upload it without a password, or a photo of the document."},
    {"document.too_many_pixels", "Gambar terlalu besar untuk dibuka ({width}x{height} piksel; paling banyak {max_pixels} piksel). Foto ulang dengan resolusi kamera biasa.", "The image is too large to open ({width}x{height} pixels; at most {max_pixels} pixels). Take the photo again at a normal camera resolution."},
    {"document.unrecognized_type", "Isi berkas bukan JPG, PNG, atau PDF (apa pun nama berkasnya). Unggah foto atau pindaian dokumen.", "The file's content is not a JPG, PNG or PDF (whatever its name says). Upload a photo or scan of the document."},
    {"image.blurry", "Foto buram (ketajaman {sharpness}): pegang ponsel dengan mantap dan ulangi.", "The photo is blurred (sharpness {sharpness}): hold the phone steady and take it again."},
    {"image.glare", "Ada pantulan cahaya pada foto: hindari lampu atau sinar matahari langsung dan ulangi.", "There is glare on the photo: avoid direct lamp or sunlight and take it again."},
    {"image.invalid_pixels", "Data piksel tidak sesuai dengan lebar dan tinggi gambar.", "The pixel data does not match the image's width and height."},
    {"image.too_dark", "Foto terlalu gelap (kecerahan {brightness}): cari tempat yang lebih terang dan ulangi.", "The photo is too dark (brightness {brightness}): find more light and take it again."},
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
    {"signature.invalid", "Tanda tangan digital tidak cocok: kartu atau bukti ini telah diubah atau palsu.", "The digital signature does not match: this card or receipt was altered or is forged."},
    {"signature.malformed", "Tanda tangan digital tidak terbaca: pindai ulang kode QR.", "The digital signature cannot be read: scan the QR code again."},
    {"signature.no_trusted_key", "Tidak ada kunci tepercaya untuk memeriksa tanda tangan: buka halaman ini sekali saat daring agar kunci BPJS Kesehatan tersimpan.", "There is no trusted key to check the signature with: open this page once while online so that BPJS Kesehatan's key is stored."},
    {"signature.untrusted_key", "Ditandatangani dengan kunci yang bukan milik BPJS Kesehatan: jangan dipercaya.", "Signed with a key that is not the server's: do not trust it."},
};

}  // namespace

std::span<const CatalogueEntry> SealingMessages() { return kSealingCatalogue; }

}  // namespace daftar
