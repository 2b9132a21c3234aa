package io.promptloop.devstack;

import io.promptloop.testkit.ServiceLogin;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;

/**
 * The dev stack's passwords: generated on the first run, kept in {@code credentials.properties} (readable
 * by the owner only) and reused on every later run, so that psql bookmarks and curl commands keep working.
 */
final class Credentials {

    static final String ADMIN_USER = "admin";
    private static final String ADMIN_KEY = "http." + ADMIN_USER + ".password";
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path file;
    private final Properties properties;

    private Credentials(Path file, Properties properties) {
        this.file = file;
        this.properties = properties;
    }

    /** Reads {@code file}, adds any password that is missing, and writes it back (mode 0600) if it changed. */
    static Credentials loadOrCreate(Path file) {
        Properties properties = new Properties();
        try {
            if (Files.exists(file)) {
                try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                    properties.load(in);
                }
            }
            boolean changed = false;
            for (ServiceLogin login : ServiceLogin.values()) {
                changed |= properties.putIfAbsent(databaseKey(login), newPassword()) == null;
            }
            changed |= properties.putIfAbsent(ADMIN_KEY, newPassword()) == null;
            Credentials credentials = new Credentials(file, properties);
            if (changed) {
                credentials.write();
            } else {
                restrictToOwner(file);
            }
            return credentials;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write " + file, e);
        }
    }

    /** The password of a service's (or the analyst's) database login. */
    String databasePassword(ServiceLogin login) {
        return properties.getProperty(databaseKey(login));
    }

    /** The password of the HTTP user {@value #ADMIN_USER} of the services. */
    String adminPassword() {
        return properties.getProperty(ADMIN_KEY);
    }

    Path file() {
        return file;
    }

    private static String databaseKey(ServiceLogin login) {
        return "postgres." + login.loginName().toLowerCase(Locale.ROOT) + ".password";
    }

    /** 24 URL-safe characters: fits a {@code postgresql://user:password@host} URL without escaping. */
    private static String newPassword() {
        byte[] bytes = new byte[18];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Writes a new file readable by the owner only and moves it into place, so no reader sees half of it. */
    private void write() throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(temporary);
        if (posix()) {
            Files.createFile(temporary, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } else {
            Files.createFile(temporary);
        }
        try (Writer out = Files.newBufferedWriter(temporary, StandardCharsets.UTF_8)) {
            properties.store(
                    out,
                    " promptloop dev stack: passwords generated on the first run and reused afterwards.\n"
                            + " Local development only. Delete this file (and the data directory) to start afresh.");
        }
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void restrictToOwner(Path file) throws IOException {
        if (posix() && !Files.getPosixFilePermissions(file).equals(OWNER_ONLY)) {
            Files.setPosixFilePermissions(file, OWNER_ONLY);
        }
    }

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }
}
