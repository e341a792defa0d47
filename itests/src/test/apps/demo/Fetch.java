package demo;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/** {@code Fetch URL FILE}: downloads URL into FILE with the JDK's {@code HttpClient}. */
public class Fetch {
    public static void main(String[] args) throws Exception {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        HttpResponse<Path> response = client.send(
                HttpRequest.newBuilder(URI.create(args[0])).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofFile(Path.of(args[1])));
        System.out.println("status " + response.statusCode() + " version " + response.version() + " bytes "
                + java.nio.file.Files.size(response.body()));
    }
}
