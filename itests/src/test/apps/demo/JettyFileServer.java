package demo;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ResourceHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.resource.ResourceFactory;

/**
 * A static file server on Jetty 12: {@code JettyFileServer HOST PORT DIR} serves the files in
 * DIR with Jetty's {@code ResourceHandler} on a {@code ServerConnector} at HOST:PORT until a
 * request for {@code /stop}, then stops and returns.
 */
public class JettyFileServer {
    public static void main(String[] args) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(args[0]);
        connector.setPort(Integer.parseInt(args[1]));
        server.addConnector(connector);
        ResourceHandler files = new ResourceHandler();
        files.setBaseResource(ResourceFactory.of(files).newResource(Path.of(args[2])));
        files.setDirAllowed(false);
        server.setHandler(new Handler.Wrapper(files) {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                if (!"/stop".equals(Request.getPathInContext(request))) {
                    return super.handle(request, response, callback);
                }
                response.setStatus(200);
                response.write(true, StandardCharsets.US_ASCII.encode("stopping\n"), Callback.from(() -> {
                    callback.succeeded();
                    new Thread(() -> {
                        try {
                            server.stop();
                        } catch (Exception e) {
                            e.printStackTrace();
                        }
                    }, "stopper").start();
                }, callback::failed));
                return true;
            }
        });
        server.start();
        System.out.println("listening on " + args[0] + ":" + connector.getLocalPort() + " through "
                + connector.getTransport().getClass().getName());
        server.join();
        System.out.println("stopped");
    }
}
